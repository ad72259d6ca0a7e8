import Foundation

/// A request as the loopback server read it.
struct ReceivedRequest: Sendable {
    var method: String
    /// Path and query, as sent.
    var target: String
    /// Header names lower-cased; a repeated header keeps its last value.
    var headers: [String: String]
    var body: [UInt8]
}

/// One accepted connection, handed to the test's handler to answer however it likes.
final class LoopbackConnection {
    private let fd: Int32
    /// Set by a handler that wants the next request on this connection to reach it too.
    var keepAlive = false

    fileprivate init(fd: Int32) { self.fd = fd }

    /// Writes all of `bytes` (a separate TCP segment thanks to `TCP_NODELAY`); false once the peer is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// A response head; `headers` are written as given, followed by a blank line.
    @discardableResult
    func writeHead(status: Int, reason: String = "OK", headers: [String]) -> Bool {
        write("HTTP/1.1 \(status) \(reason)\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    /// A complete response with `Content-Length` that closes the connection.
    @discardableResult
    func respond(status: Int, reason: String = "OK", contentType: String, body: [UInt8], extraHeaders: [String] = []) -> Bool {
        writeHead(
            status: status, reason: reason,
            headers: ["Content-Type: \(contentType)", "Content-Length: \(body.count)"]
                + (keepAlive ? [] : ["Connection: close"]) + extraHeaders)
            && write(body)
    }

    @discardableResult
    func respond(status: Int, reason: String = "OK", contentType: String, body: String, extraHeaders: [String] = []) -> Bool {
        respond(status: status, reason: reason, contentType: contentType, body: Array(body.utf8), extraHeaders: extraHeaders)
    }

    /// One chunk of a `Transfer-Encoding: chunked` body.
    @discardableResult
    func writeChunk(_ bytes: [UInt8]) -> Bool {
        write(Array(String(bytes.count, radix: 16).utf8) + [13, 10] + bytes + [13, 10])
    }

    /// The terminating zero-length chunk.
    @discardableResult
    func endChunks() -> Bool { write("0\r\n\r\n") }

    /// Sleeps a little so the previous write leaves as its own read on the client side.
    func pause(milliseconds: Int = 5) { usleep(useconds_t(milliseconds * 1000)) }

    /// Stays silent until the client closes the connection (or `limit` seconds pass).
    func waitForPeerClose(limit: Double = 30) {
        let deadline = Date().addingTimeInterval(limit)
        var byte: UInt8 = 0
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 100) > 0, recv(fd, &byte, 1, 0) <= 0 { return }
        }
    }

    /// Reads one request (head plus `Content-Length` body); nil when the peer closes first.
    fileprivate func readRequest() -> ReceivedRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
            headEnd = buffer.indices.dropLast(3).first { buffer[$0..<$0 + 4].elementsEqual(separator) }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[(headEnd! + 4)...])
        let length = Int(headers["content-length"] ?? "") ?? 0
        while body.count < length {
            let count = recv(fd, &chunk, min(chunk.count, length - body.count), 0)
            if count <= 0 { return nil }
            body += chunk[0..<count]
        }
        return ReceivedRequest(
            method: String(requestLine[0]), target: String(requestLine.count > 1 ? requestLine[1] : ""),
            headers: headers, body: body)
    }
}

/// A tiny HTTP/1.1 server on `127.0.0.1:<ephemeral>` for tests: one thread accepts, one thread per
/// connection reads a request and runs the handler, which writes whatever the test needs
/// (split writes, silence, an early close). The connection closes when the handler returns,
/// unless it set ``LoopbackConnection/keepAlive``.
final class LoopbackHTTPServer: @unchecked Sendable {
    // @unchecked: `requests` and `connections` are guarded by `lock`; `fd` and `port` never change.
    typealias Handler = @Sendable (ReceivedRequest, LoopbackConnection) -> Void

    let port: Int
    private let fd: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var received: [ReceivedRequest] = []
    private var accepted = 0

    /// `http://127.0.0.1:<port>`.
    var origin: String { "http://127.0.0.1:\(port)" }

    /// Every request read so far, in order.
    var requests: [ReceivedRequest] { lock.withLock { received } }

    /// Connections accepted so far.
    var connectionCount: Int { lock.withLock { accepted } }

    init(handler: @escaping Handler) {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket failed")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(bound == 0 && listen(fd, 64) == 0, "bind/listen failed")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting (shutting the listener down wakes the accept thread).
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            lock.withLock { accepted += 1 }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        let connection = LoopbackConnection(fd: client)
        while let request = connection.readRequest() {
            lock.withLock { received.append(request) }
            connection.keepAlive = false
            handler(request, connection)
            if !connection.keepAlive { break }
        }
        close(client)
    }
}

/// A TCP port on 127.0.0.1 with nothing listening: bound, then closed.
func closedLoopbackPort() -> Int {
    let server = LoopbackHTTPServer { _, _ in }
    let port = server.port
    server.stop()
    return port
}
