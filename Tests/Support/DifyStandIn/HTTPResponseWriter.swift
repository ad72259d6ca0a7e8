import Foundation

/// How a response body is delimited on the wire.
public enum HTTPBodyFraming: Sendable, Equatable {
    case contentLength(Int)
    /// `Transfer-Encoding: chunked`; every `write` becomes one chunk.
    case chunked
    /// No length: the body ends when the server closes the connection.
    case closeDelimited
}

/// A canned response: status, body and content type.
public struct CannedResponse: Sendable {
    public var status: Int
    public var body: Data
    public var contentType: String
    public var headers: [String: String]

    public init(status: Int, body: Data, contentType: String = "application/json",
                headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.contentType = contentType
        self.headers = headers
    }

    public init(status: Int, body: String, contentType: String = "application/json",
                headers: [String: String] = [:]) {
        self.init(status: status, body: Data(body.utf8), contentType: contentType, headers: headers)
    }
}

/// Writes one response on a connection. Every `write` is sent at once with its own `send`
/// (the socket has TCP_NODELAY), so tests can split a stream across TCP segments.
///
/// Writes return false once the peer is gone, the response was aborted or the server stopped;
/// long-running handlers should also poll `shouldAbort` or sleep with `pause(millis:)`.
///
/// `@unchecked Sendable`: the response state is guarded by the connection's lock, and the
/// socket itself is only closed under that lock (see `ConnectionState`).
public final class HTTPResponseWriter: @unchecked Sendable {
    public let request: HTTPRequest
    private let connection: ConnectionState
    private let server: ServerCore

    private enum State { case idle, body(HTTPBodyFraming), finished }
    // Guarded by connection.lock:
    private var state = State.idle
    private var remaining = 0
    private var suppressBody = false
    private var keepAlive: Bool
    private var completed = false
    private var sentStatus: Int?
    private var bodyBytes = 0

    init(request: HTTPRequest, connection: ConnectionState, server: ServerCore) {
        self.request = request
        self.connection = connection
        self.server = server
        let connectionHeader = request.headers["Connection"]?.lowercased() ?? ""
        if request.version == "HTTP/1.0" {
            keepAlive = connectionHeader.contains("keep-alive")
        } else {
            keepAlive = !connectionHeader.contains("close")
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        connection.lock.lock()
        defer { connection.lock.unlock() }
        return body()
    }

    /// The status sent, nil before `writeHead`.
    public var status: Int? { locked { sentStatus } }
    /// Body bytes sent so far (payload only, without chunk framing).
    public var bytesWritten: Int { locked { bodyBytes } }
    public var isHeadWritten: Bool { locked { if case .idle = state { return false } else { return true } } }
    /// The server is stopping.
    public var isStopped: Bool { server.isStopped }
    /// A write failed or the response was aborted.
    public var isBroken: Bool { locked { connection.broken || connection.closed } }

    /// True when the client closed or reset the connection.
    public var isPeerClosed: Bool {
        locked { connection.closed || connection.broken || Sockets.peerHasClosed(connection.fd) }
    }

    /// True when a long-running handler should give up: stopped, broken, or peer gone.
    public var shouldAbort: Bool { isStopped || isPeerClosed }

    /// Sends the status line and headers. `framing` nil: taken from a `Content-Length` or
    /// `Transfer-Encoding: chunked` header if given, else chunked (close-delimited for HTTP/1.0).
    @discardableResult
    public func writeHead(status: Int, reason: String? = nil, headers: [String: String] = [:],
                          framing: HTTPBodyFraming? = nil) -> Bool {
        locked { writeHeadLocked(status: status, reason: reason, headers: headers, framing: framing) }
    }

    private func writeHeadLocked(status: Int, reason: String?, headers: [String: String],
                                 framing requested: HTTPBodyFraming?) -> Bool {
        guard case .idle = state else { return false }
        var framing = requested
        var fields: [(String, String)] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            switch name.lowercased() {
            case "content-length":
                if framing == nil, let length = Int(value) { framing = .contentLength(length) }
            case "transfer-encoding":
                if framing == nil, value.lowercased().contains("chunked") { framing = .chunked }
            case "connection":
                if value.lowercased().contains("close") { keepAlive = false }
            default:
                fields.append((name, value))
            }
        }
        let resolved = framing ?? (request.version == "HTTP/1.0" ? .closeDelimited : .chunked)
        suppressBody = request.method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status)
        switch resolved {
        case .contentLength(let length):
            fields.append(("Content-Length", String(length)))
            remaining = suppressBody ? 0 : length
        case .chunked:
            if !suppressBody { fields.append(("Transfer-Encoding", "chunked")) }
        case .closeDelimited:
            if !suppressBody { keepAlive = false }
        }
        if server.isStopped { keepAlive = false }
        if !keepAlive {
            fields.append(("Connection", "close"))
        } else if request.version == "HTTP/1.0" {
            fields.append(("Connection", "keep-alive"))
        }
        var head = "HTTP/1.1 \(status) \(reason ?? HTTPResponseWriter.reasonPhrase(status))\r\n"
        for (name, value) in fields { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        state = .body(resolved)
        sentStatus = status
        return connection.sendLocked(Array(head.utf8))
    }

    /// Sends `bytes` now, in one `send` (one chunk when chunked). Writes the head (200,
    /// chunked) first if nobody did. False when the connection is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        locked {
            if case .idle = state {
                guard writeHeadLocked(status: 200, reason: nil, headers: [:], framing: nil) else { return false }
            }
            guard case .body(let framing) = state else { return false }
            if suppressBody || bytes.isEmpty { return !connection.broken && !connection.closed }
            switch framing {
            case .chunked:
                let frame = Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [0x0D, 0x0A]
                guard connection.sendLocked(frame) else { return false }
            case .contentLength:
                let allowed = Array(bytes.prefix(remaining))
                remaining -= allowed.count
                guard connection.sendLocked(allowed) else { return false }
                if allowed.count < bytes.count { return false }
            case .closeDelimited:
                guard connection.sendLocked(bytes) else { return false }
            }
            bodyBytes += bytes.count
            return true
        }
    }

    @discardableResult
    public func write(_ data: Data) -> Bool { write([UInt8](data)) }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Sends bytes exactly as given, outside any framing (for deliberately broken responses).
    @discardableResult
    public func writeRaw(_ bytes: [UInt8]) -> Bool {
        locked {
            if case .idle = state { state = .body(.closeDelimited); keepAlive = false }
            return connection.sendLocked(bytes)
        }
    }

    /// Ends the response properly: the terminating chunk, or closing a close-delimited body.
    /// A `Content-Length` body that is still short makes the connection close instead.
    public func finish() {
        locked { finishLocked() }
    }

    private func finishLocked() {
        switch state {
        case .idle:
            _ = writeHeadLocked(status: 200, reason: nil, headers: [:], framing: .contentLength(0))
            state = .finished
        case .body(let framing):
            state = .finished
            switch framing {
            case .chunked:
                if !suppressBody { _ = connection.sendLocked(Array("0\r\n\r\n".utf8)) }
            case .contentLength:
                if remaining > 0 { keepAlive = false }
            case .closeDelimited:
                keepAlive = false
                if !connection.closed { Sockets.shutdownWrite(connection.fd) }
            }
        case .finished:
            break
        }
    }

    /// Drops the connection at once without ending the body (no terminating chunk), like a
    /// crashed upstream. `reset` sends a TCP RST instead of a FIN.
    public func closeAbruptly(reset: Bool = false) {
        connection.lock.lock()
        if completed || connection.closed {
            connection.lock.unlock()
            return
        }
        connection.broken = true
        keepAlive = false
        state = .finished
        if reset { Sockets.setResetOnClose(connection.fd) }
        connection.lock.unlock()
        server.close(connection)
    }

    /// Writes a whole response with a `Content-Length`.
    public func respond(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        locked {
            guard writeHeadLocked(status: status, reason: nil, headers: headers,
                                  framing: .contentLength(body.count)) else { return }
            if !suppressBody && !body.isEmpty { _ = connection.sendLocked([UInt8](body)) }
            bodyBytes += body.count
            remaining = 0
            state = .finished
        }
    }

    public func respond(status: Int, contentType: String, body: String, headers: [String: String] = [:]) {
        var all = headers
        all["Content-Type"] = contentType
        respond(status: status, headers: all, body: Data(body.utf8))
    }

    public func respond(_ canned: CannedResponse) {
        var all = canned.headers
        all["Content-Type"] = canned.contentType
        respond(status: canned.status, headers: all, body: canned.body)
    }

    /// Sleeps `millis`, waking early when the response should be abandoned. True when the
    /// whole pause elapsed and the connection is still usable.
    @discardableResult
    public func pause(millis: Int) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(max(0, millis)) / 1000)
        while true {
            if shouldAbort { return false }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return true }
            if server.waitForStop(timeout: min(left, 0.05)) { return false }
        }
    }

    /// Blocks until the server stops or the peer goes away (or `timeout`, if given).
    public func waitUntilAborted(timeout: TimeInterval? = nil) {
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        while !shouldAbort {
            if let deadline, deadline.timeIntervalSinceNow <= 0 { return }
            if server.waitForStop(timeout: 0.05) { return }
        }
    }

    /// Called by the connection thread once the handler returned: completes whatever the
    /// handler left open. True when the connection may serve another request.
    func complete() -> Bool {
        locked {
            if case .idle = state {
                let body = Array("stand-in handler wrote no response\n".utf8)
                if writeHeadLocked(status: 500, reason: nil, headers: ["Content-Type": "text/plain"],
                                   framing: .contentLength(body.count)) {
                    _ = connection.sendLocked(body)
                }
                state = .finished
            }
            finishLocked()
            completed = true
            return keepAlive && !connection.broken && !connection.closed
        }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Request Entity Too Large"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status \(status)"
        }
    }
}
