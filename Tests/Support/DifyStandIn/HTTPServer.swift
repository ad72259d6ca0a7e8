import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an `HTTPServer` calls for every request, on that connection's own thread.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponseWriter) -> Void

/// A real HTTP/1.1 server on 127.0.0.1 or another local address (random free port) for tests: blocking sockets, one
/// accept thread, one thread per connection, keep-alive, `Expect: 100-continue`, chunked
/// request bodies. Every request is recorded in `requestLog` before the handler runs.
///
/// `stop()` (also run by `deinit`) closes the listener, shuts every connection down and waits
/// for the connection threads to end — at most a few seconds, even when a handler is stuck:
/// handlers blocked on `HTTPResponseWriter.pause`/`waitUntilAborted`, a `Gate` or a socket
/// write all return once the server stops.
public final class HTTPServer: Sendable {
    let core: ServerCore

    /// Listens on `host` (an IPv4 address of this machine).
    public init(host: String = "127.0.0.1", handler: @escaping HTTPHandler) throws {
        core = try ServerCore(host: host, handler: handler)
        core.start()
    }

    deinit { core.stop(timeout: 2) }

    /// The listening port.
    public var port: Int { core.port }
    /// `http://HOST:PORT` (no trailing slash).
    public var baseURL: String { "http://\(core.host):\(core.port)" }

    /// Every request received so far, in arrival order.
    public var requests: [HTTPRequest] { core.requestLog.all }
    public var requestLog: RecordLog<HTTPRequest> { core.requestLog }

    /// Blocks until `count` requests matching `predicate` have arrived (false on timeout).
    @discardableResult
    public func waitForRequests(count: Int, timeout: TimeInterval,
                                where predicate: (HTTPRequest) -> Bool = { _ in true }) -> Bool {
        core.requestLog.wait(count: count, timeout: timeout, where: predicate)
    }

    public var isStopped: Bool { core.isStopped }
    /// Connections accepted since start.
    public var acceptedConnections: Int { core.acceptedCount }
    /// Connections currently open.
    public var openConnections: Int { core.openCount }

    /// Stops the server (idempotent). Returns once the connection threads have ended, or after
    /// `timeout` seconds if a handler ignores the stop.
    public func stop(timeout: TimeInterval = 5) { core.stop(timeout: timeout) }

    /// Sleeps up to `timeout` seconds, waking early when the server stops. True if stopped.
    @discardableResult
    public func waitForStop(timeout: TimeInterval) -> Bool { core.waitForStop(timeout: timeout) }
}

/// One accepted connection. The descriptor is closed exactly once, under `lock`, after it has
/// left the server's registry — so `ServerCore.stop` never shuts down a recycled descriptor.
///
/// `@unchecked Sendable`: every mutable field is guarded by `lock`.
final class ConnectionState: @unchecked Sendable {
    let id: Int
    let fd: Int32
    let lock = NSLock()
    /// The descriptor was closed (guarded by `lock`).
    var closed = false
    /// A send failed or the connection was aborted (guarded by `lock`).
    var broken = false

    init(id: Int, fd: Int32) {
        self.id = id
        self.fd = fd
    }

    /// Sends raw bytes (caller must hold `lock`).
    func sendLocked(_ bytes: [UInt8]) -> Bool {
        guard !closed, !broken else { return false }
        if !Sockets.sendAll(fd, bytes) { broken = true }
        return !broken
    }

    func send(_ bytes: [UInt8]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return sendLocked(bytes)
    }
}

/// The server's shared state, owned by the accept and connection threads (they retain it, not
/// the public `HTTPServer`, so dropping the last `HTTPServer` reference stops it).
///
/// `@unchecked Sendable`: `stopped`, `acceptLoopDone`, `connections`, `threads`, the counters
/// and the listener's lifetime are guarded by `condition`; `handler`, `host` and `port` are immutable.
final class ServerCore: @unchecked Sendable {
    let host: String
    let port: Int
    let requestLog = RecordLog<HTTPRequest>()
    private let listenFD: Int32
    private let handler: HTTPHandler
    private let condition = NSCondition()
    private var stopped = false
    private var acceptLoopDone = false
    private var connections: [Int: ConnectionState] = [:]
    private var threads: [Int: pthread_t] = [:]
    private var nextConnectionID = 1
    private var accepted = 0
    /// Connection threads started and not yet finished (including ones not yet running).
    private var liveThreads = 0

    init(host: String, handler: @escaping HTTPHandler) throws {
        let listener = try Sockets.listen(on: host)
        self.host = host
        listenFD = listener.fd
        port = listener.port
        self.handler = handler
    }

    func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "standin-accept-\(port)"
        thread.start()
    }

    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    var acceptedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return accepted
    }

    var openCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return connections.count
    }

    func waitForStop(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: max(0, timeout))
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return stopped
    }

    private func acceptLoop() {
        while !isStopped {
            guard Sockets.waitReadable(listenFD, millis: 100) else { continue }
            guard let fd = Sockets.accept(listenFD) else {
                usleep(5_000) // EMFILE and friends: do not spin
                continue
            }
            Sockets.setNoDelay(fd)
            condition.lock()
            if stopped {
                condition.unlock()
                Sockets.close(fd)
                break
            }
            let connection = ConnectionState(id: nextConnectionID, fd: fd)
            nextConnectionID += 1
            accepted += 1
            connections[connection.id] = connection
            liveThreads += 1
            condition.unlock()

            let thread = Thread { [self] in serve(connection) }
            thread.name = "standin-conn-\(port)-\(connection.id)"
            thread.start()
        }
        condition.lock()
        Sockets.close(listenFD)
        acceptLoopDone = true
        condition.broadcast()
        condition.unlock()
    }

    private func serve(_ connection: ConnectionState) {
        condition.lock()
        threads[connection.id] = pthread_self()
        condition.unlock()
        defer {
            close(connection)
            condition.lock()
            threads.removeValue(forKey: connection.id)
            liveThreads -= 1
            condition.broadcast()
            condition.unlock()
        }

        let reader = SocketReader(fd: connection.fd)
        while !isStopped {
            let request: HTTPRequest?
            do {
                request = try HTTPRequestParser.next(from: reader, connectionID: connection.id) {
                    _ = connection.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
            } catch HTTPParseError.truncated {
                return
            } catch {
                let body = Array("\(error)\n".utf8)
                _ = connection.send(Array(("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n" +
                    "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8) + body)
                return
            }
            guard let request else { return }
            requestLog.append(request)
            let writer = HTTPResponseWriter(request: request, connection: connection, server: self)
            handler(request, writer)
            guard writer.complete() else { return }
        }
    }

    /// Removes `connection` from the registry, then closes its descriptor (idempotent).
    func close(_ connection: ConnectionState) {
        condition.lock()
        connections.removeValue(forKey: connection.id)
        condition.broadcast()
        condition.unlock()
        connection.lock.lock()
        if !connection.closed {
            connection.closed = true
            Sockets.close(connection.fd)
        }
        connection.lock.unlock()
    }

    func stop(timeout: TimeInterval) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        let me = pthread_self()
        condition.lock()
        defer { condition.unlock() }
        if !stopped {
            stopped = true
            // Wake every blocked accept/recv/send. Descriptors still in the registry are open.
            if !acceptLoopDone { Sockets.shutdownBoth(listenFD) }
            for connection in connections.values { Sockets.shutdownBoth(connection.fd) }
            condition.broadcast()
        }
        // "Join": wait for the accept thread and every connection thread but our own (a
        // handler may stop its own server).
        while !acceptLoopDone
            || liveThreads - (threads.values.contains(where: { pthread_equal($0, me) != 0 }) ? 1 : 0) > 0 {
            if !condition.wait(until: deadline) { return }
        }
    }
}

extension HTTPServer {
    /// A port on 127.0.0.1 with nothing listening (bound, then closed), for "connection
    /// refused" tests.
    public static func closedPort() throws -> Int {
        let listener = try Sockets.listenOnLoopback()
        Sockets.close(listener.fd)
        return listener.port
    }
}
