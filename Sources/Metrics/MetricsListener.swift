#if canImport(Glibc)
import Glibc
#endif

/// The separate listener for `/metrics` and `/healthz` (`--metrics ADDR`): a listening TCP
/// socket, non-blocking so that `serveReady()` can be called from a `poll` loop (the pre-fork
/// master's) as well as from a thread of its own (`serve(until:)`). One request per connection,
/// answered and closed; each read and write gives up after `ioTimeout`, so a client that
/// connects and sends nothing holds the loop for at most that long.
public final class MetricsListener: @unchecked Sendable {
    // @unchecked: `fd` never changes; connections are handled by whichever single caller
    // drives the listener.
    public let fd: Int32
    /// What it listens on, as bound (the real port when 0 was asked for): `127.0.0.1:9464`.
    public let address: String
    private let endpoints: MetricsEndpoints
    private let ioTimeout: Duration
    private let creatorPID = getpid()

    /// The most a request head may take; larger heads are answered 400.
    static let maxHeadBytes = 8192

    /// - Parameter address: `HOST:PORT` (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`).
    public init(address: String, endpoints: MetricsEndpoints, ioTimeout: Duration = .seconds(1)) throws(MetricsError) {
        self.endpoints = endpoints
        self.ioTimeout = ioTimeout
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw .invalidAddress(address)
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalidAddress(address) }
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else { throw .invalidAddress(address) }
        defer { freeaddrinfo(info) }
        let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(info.pointee.ai_family, socketType, 0)
        guard fd >= 0 else { throw .system(function: "socket", target: address, errno: errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 64) == 0 else {
            let code = errno
            _ = close(fd)
            throw .system(function: "bind/listen", target: address, errno: code)
        }
        self.fd = fd
        let shownHost = host.contains(":") ? "[\(host)]" : host
        self.address = Self.boundPort(fd).map { "\(shownHost):\($0)" } ?? address
    }

    /// Closed only by the process that opened it: a forked child's copy of the object must not
    /// close the fd its parent still serves on (the child closes its copy of the fd itself).
    deinit { if getpid() == creatorPID { _ = close(fd) } }

    /// Answers every connection waiting to be accepted, then returns.
    public func serveReady() {
        while true {
            let connection = accept(fd, nil, nil)  // accept4() is not imported without _GNU_SOURCE
            if connection < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN: none left; anything else: try again at the next wake-up
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            answer(connection)
            _ = close(connection)
        }
    }

    /// On a thread of its own: serves until `stop()` returns true, looking at it at least every
    /// 250 ms.
    public func serve(until stop: () -> Bool) {
        while !stop() {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 250) > 0 { serveReady() }
        }
    }

    private func answer(_ connection: Int32) {
        // The accepted socket inherits O_NONBLOCK on some systems but not Linux; make it
        // blocking with timeouts either way.
        _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) & ~O_NONBLOCK)
        let (seconds, attoseconds) = ioTimeout.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        _ = setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = readHead(connection) else { return }
        let response = head.complete ? endpoints.respond(toHead: head.bytes)
                                     : MetricsEndpoints.Response(status: 400, contentType: "text/plain; charset=utf-8",
                                                                 body: "bad request\n")
        let bytes = response.bytes
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n } else if n < 0, errno == EINTR { continue } else { return }
        }
    }

    /// The bytes before the first blank line (`complete`), or what came before the client
    /// stopped, timed out or passed `maxHeadBytes`; nil when nothing came at all.
    private func readHead(_ connection: Int32) -> (bytes: [UInt8], complete: Bool)? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while bytes.count <= Self.maxHeadBytes {
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += buffer[..<n]
            if let end = Self.endOfHead(bytes) { return (Array(bytes[..<end]), true) }
        }
        return bytes.isEmpty ? nil : (bytes, false)
    }

    /// Where `\r\n\r\n` (or a bare `\n\n`) starts.
    static func endOfHead(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A, bytes[index + 1] == 0x0A { return index }
            if index + 3 < bytes.count, bytes[index] == 0x0D, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x0D,
               bytes[index + 3] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    /// The port the socket is bound to (the kernel's choice when 0 was asked for).
    private static func boundPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard got == 0 else { return nil }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer in
            switch family {
            case AF_INET: return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            case AF_INET6: return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            default: return nil
            }
        }
    }
}
