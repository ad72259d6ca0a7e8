import Foundation
import JSONCore

/// One request as received by an `HTTPServer` (body fully read, chunked bodies decoded).
public struct HTTPRequest: Sendable, CustomStringConvertible {
    public let method: String
    /// The raw request-target, e.g. `/v1/chat-messages?x=1`.
    public let target: String
    /// The target up to `?`, still percent-encoded.
    public let path: String
    /// The raw query after `?`, nil when there is none.
    public let query: String?
    /// `HTTP/1.1` or `HTTP/1.0`.
    public let version: String
    public let headers: HeaderFields
    public let body: Data
    /// Which accepted connection carried it (several requests share one under keep-alive).
    public let connectionID: Int
    public let receivedAt: Date

    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HeaderFields,
                body: Data, connectionID: Int = 0, receivedAt: Date = Date()) {
        self.method = method
        self.target = target
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.connectionID = connectionID
        self.receivedAt = receivedAt
    }

    /// Case-insensitive header lookup.
    public func header(_ name: String) -> String? { headers[name] }

    /// Percent-decoded query parameters (`+` is a space); the last value wins.
    public var queryItems: [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var items: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            items[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return items
    }

    /// The body as UTF-8 (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, nil when it is not JSON.
    public var json: JSONValue? { JSONText.read(body) }

    public var description: String { "\(method) \(target) (\(body.count) body bytes)" }
}
