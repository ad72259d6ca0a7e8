import Foundation
import JSONCore

/// One POST received on the WeCom `response_url` endpoint.
public struct PostedResponse: Sendable {
    /// The `response_code` query parameter.
    public let code: String?
    public let request: HTTPRequest

    public var body: Data { request.body }
    public var bodyText: String { request.bodyText }
    public var json: JSONValue? { request.json }
    public var headers: HeaderFields { request.headers }
}

/// Stands in for WeCom's `POST /cgi-bin/aibot/response?response_code=…`: records every body
/// and answers `{"errcode":0,"errmsg":"ok"}` (or `reply`, for failure tests).
///
/// `@unchecked Sendable`: `reply` is guarded by `lock`; `log` is thread-safe.
public final class ResponseURLSink: @unchecked Sendable {
    public static let path = "/cgi-bin/aibot/response"
    public let log = RecordLog<PostedResponse>()
    private let lock = NSLock()
    private var replyValue = CannedResponse(status: 200, body: "{\"errcode\":0,\"errmsg\":\"ok\"}")

    /// Registers the endpoint on `routes`.
    public init(routes: RouteTable) {
        routes.add("POST", ResponseURLSink.path) { [self] request, writer in
            log.append(PostedResponse(code: request.queryItems["response_code"], request: request))
            writer.respond(reply)
        }
    }

    /// What every post is answered with.
    public var reply: CannedResponse {
        get { lock.lock(); defer { lock.unlock() }; return replyValue }
        set { lock.lock(); replyValue = newValue; lock.unlock() }
    }

    /// `{baseURL}/cgi-bin/aibot/response?response_code=CODE`
    public static func url(baseURL: String, code: String) -> String {
        let encoded = code.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? code
        return "\(baseURL)\(path)?response_code=\(encoded)"
    }
}

/// A routed server that also owns a `ResponseURLSink`.
public protocol ResponseURLReceiving: RoutedHTTPServer {
    var responseSink: ResponseURLSink { get }
}

extension ResponseURLReceiving {
    /// `http://127.0.0.1:PORT/cgi-bin/aibot/response?response_code=CODE`
    public func responseURL(code: String) -> String {
        ResponseURLSink.url(baseURL: baseURL, code: code)
    }

    /// Every body posted to the response URL so far.
    public var postedResponses: [PostedResponse] { responseSink.log.all }

    /// Blocks until `count` posts (for `code`, when given) arrived; false on timeout.
    @discardableResult
    public func waitForPostedResponses(count: Int, code: String? = nil, timeout: TimeInterval) -> Bool {
        responseSink.log.wait(count: count, timeout: timeout) { code == nil || $0.code == code }
    }
}
