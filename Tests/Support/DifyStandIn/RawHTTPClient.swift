import Foundation
import JSONCore

/// A complete response read by `RawHTTPClient`.
public struct RawHTTPResponse: Sendable {
    public let status: Int
    public let reason: String
    public let headers: HeaderFields
    public let body: Data
    /// False when the body ended early (connection closed before the terminating chunk or
    /// before `Content-Length` bytes).
    public let complete: Bool
    /// The payload size of every chunk, in order, when the body was chunked.
    public let chunkSizes: [Int]
    /// The raw chunk payloads (chunked bodies only).
    public let chunks: [Data]

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var json: JSONValue? { JSONText.read(body) }
}

/// A blocking HTTP/1.1 connection to a local test server, built on raw sockets (no
/// URLSession, no libcurl) so it can check the stand-in independently of the clients under
/// test. Also lets a test read a stream piece by piece and hang up mid-stream.
///
/// Not thread-safe: use from one thread.
public final class RawHTTPConnection {
    private let fd: Int32
    private let reader: SocketReader
    private var closed = false
    private var framing: HTTPBodyFraming?
    private var bodyDone = true
    private var remaining = 0
    public private(set) var complete = true

    /// Connects to 127.0.0.1:`port`; every read gives up after `timeout` seconds.
    public init(port: Int, timeout: TimeInterval = 10) throws {
        fd = try Sockets.connectToLoopback(port: port)
        Sockets.setReceiveTimeout(fd, seconds: timeout)
        reader = SocketReader(fd: fd)
    }

    deinit { close() }

    public func close() {
        if !closed {
            closed = true
            Sockets.close(fd)
        }
    }

    /// Sends one request. `Host` and `Content-Length` are added unless given.
    public func sendRequest(method: String, target: String, headers: [String: String] = [:],
                            body: Data = Data()) throws {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        let names = Set(headers.keys.map { $0.lowercased() })
        if !names.contains("host") { head += "Host: 127.0.0.1\r\n" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if !names.contains("content-length") && !names.contains("transfer-encoding")
            && (!body.isEmpty || method == "POST" || method == "PUT") {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        guard Sockets.sendAll(fd, Array(head.utf8) + [UInt8](body)) else { throw SocketFailure("send") }
    }

    /// Reads the status line and headers (skipping `100 Continue`).
    public func readHead(method: String = "GET") throws -> (status: Int, reason: String, headers: HeaderFields) {
        while true {
            guard let line = try reader.readLine() else { throw HTTPParseError.truncated }
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw HTTPParseError.malformed("status line \(line.debugDescription)")
            }
            let headers = try HTTPRequestParser.readHeaders(from: reader)
            if (100..<200).contains(status) { continue }
            let reason = parts.count > 2 ? String(parts[2]) : ""
            complete = true
            if method == "HEAD" || status == 204 || status == 304 {
                framing = .contentLength(0)
                remaining = 0
            } else if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
                framing = .chunked
            } else if let length = headers["Content-Length"].flatMap({ Int($0) }) {
                framing = .contentLength(length)
                remaining = length
            } else {
                framing = .closeDelimited
            }
            bodyDone = false
            return (status, reason, headers)
        }
    }

    /// The next piece of body: one chunk (chunked), or what one read returns. Nil at the end
    /// of the body; `complete` then tells whether it ended properly.
    public func readBodyPiece() -> Data? {
        guard !bodyDone, let framing else { return nil }
        do {
            switch framing {
            case .chunked:
                guard let sizeLine = try reader.readLine() else { return end(complete: false) }
                let hex = sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int(hex, radix: 16) else { return end(complete: false) }
                if size == 0 {
                    _ = try HTTPRequestParser.readHeaders(from: reader)
                    return end(complete: true)
                }
                let bytes = try reader.readExactly(size)
                guard try reader.readLine() == "" else { return end(complete: false) }
                return Data(bytes)
            case .contentLength:
                if remaining == 0 { return end(complete: true) }
                guard let bytes = reader.readSome(limit: remaining) else { return end(complete: false) }
                remaining -= bytes.count
                return Data(bytes)
            case .closeDelimited:
                guard let bytes = reader.readSome() else { return end(complete: true) }
                return Data(bytes)
            }
        } catch {
            return end(complete: false)
        }
    }

    private func end(complete: Bool) -> Data? {
        bodyDone = true
        self.complete = complete
        if case .closeDelimited = framing { close() }
        if !complete { close() }
        return nil
    }

    /// Reads the rest of the body.
    public func readBody() -> (body: Data, pieces: [Data], complete: Bool) {
        var body = Data()
        var pieces: [Data] = []
        while let piece = readBodyPiece() {
            body += piece
            pieces.append(piece)
        }
        return (body, pieces, complete)
    }

    /// Sends a request and reads the whole response.
    public func roundTrip(method: String, target: String, headers: [String: String] = [:],
                          body: Data = Data()) throws -> RawHTTPResponse {
        try sendRequest(method: method, target: target, headers: headers, body: body)
        let head = try readHead(method: method)
        let result = readBody()
        let chunked = framing == .chunked
        return RawHTTPResponse(status: head.status, reason: head.reason, headers: head.headers, body: result.body,
                               complete: result.complete, chunkSizes: chunked ? result.pieces.map(\.count) : [],
                               chunks: chunked ? result.pieces : [])
    }
}

/// One-shot requests against `http://127.0.0.1:PORT/...` URLs.
public enum RawHTTPClient {
    public enum URLError: Error, CustomStringConvertible, Sendable {
        case unsupported(String)
        public var description: String {
            switch self { case .unsupported(let url): return "only http://127.0.0.1:PORT/… URLs are supported: \(url)" }
        }
    }

    /// The port and request-target of a local `http` URL.
    public static func split(_ url: String) throws -> (port: Int, target: String) {
        guard let components = URLComponents(string: url), components.scheme == "http",
              components.host == "127.0.0.1" || components.host == "localhost",
              let port = components.port else { throw URLError.unsupported(url) }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        return (port, target)
    }

    public static func send(_ method: String, _ url: String, headers: [String: String] = [:],
                            body: Data = Data(), timeout: TimeInterval = 10) throws -> RawHTTPResponse {
        let (port, target) = try split(url)
        let connection = try RawHTTPConnection(port: port, timeout: timeout)
        defer { connection.close() }
        var all = headers
        if !all.keys.contains(where: { $0.lowercased() == "connection" }) { all["Connection"] = "close" }
        return try connection.roundTrip(method: method, target: target, headers: all, body: body)
    }
}
