import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with the errno text.
struct SocketFailure: Error, CustomStringConvertible, Sendable {
    let operation: String
    let code: Int32

    init(_ operation: String, _ code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    var description: String { "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
}

/// Thin wrappers over blocking POSIX TCP sockets on 127.0.0.1.
///
/// Every descriptor is created close-on-exec: the integration tests spawn nginx and the
/// service processes, which must not inherit (and keep open) the stand-in's sockets.
enum Sockets {
    /// `TCP_NODELAY` from `<netinet/tcp.h>` (1 on Linux).
    private static let tcpNoDelay: Int32 = 1
    /// `POLLRDHUP` (Linux): the peer shut down its writing half.
    private static let pollReadHangUp: Int16 = 0x2000

    /// Opens a listening socket on 127.0.0.1 with a kernel-chosen free port.
    static func listenOnLoopback(backlog: Int32 = 128) throws -> (fd: Int32, port: Int) {
        try listen(on: "127.0.0.1", backlog: backlog)
    }

    /// Opens a listening socket on the IPv4 address `host` (an address of this machine, such as
    /// a test network's bridge) with a kernel-chosen free port.
    static func listen(on host: String, backlog: Int32 = 128) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure("socket") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: 0)
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let error = SocketFailure("bind \(host):0")
            Glibc.close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SocketFailure("listen")
            Glibc.close(fd)
            throw error
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let error = SocketFailure("getsockname")
            Glibc.close(fd)
            throw error
        }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }

    /// Connects to 127.0.0.1:`port` (blocking; loopback connects at once or is refused).
    static func connectToLoopback(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure("socket") }
        var address = loopbackAddress(port: port)
        var result: Int32
        repeat {
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        } while result != 0 && errno == EINTR
        guard result == 0 else {
            let error = SocketFailure("connect 127.0.0.1:\(port)")
            Glibc.close(fd)
            throw error
        }
        setNoDelay(fd)
        return fd
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return address
    }

    /// Accepts one connection; nil when nothing is pending or the listener is shut down.
    static func accept(_ listener: Int32) -> Int32? {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
        // accept4 is not exported by the Glibc module; FD_CLOEXEC right after accept.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    static func setNoDelay(_ fd: Int32) {
        var yes: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), tcpNoDelay, &yes, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Bounds every blocking `recv` on `fd` (client side: a stuck server must not hang a test).
    static func setReceiveTimeout(_ fd: Int32, seconds: TimeInterval) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - floor(seconds)) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Makes the next `close` send RST instead of FIN.
    static func setResetOnClose(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }

    /// Sends every byte (looping over partial sends). False when the peer is gone or the
    /// socket was shut down. Never raises SIGPIPE.
    static func sendAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard var base = bytes.baseAddress else { return true }
        var remaining = bytes.count
        while remaining > 0 {
            let sent = send(fd, base, remaining, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            if sent == 0 { return false }
            remaining -= sent
            base = base.advanced(by: sent)
        }
        return true
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { sendAll(fd, $0) }
    }

    /// One `recv`: > 0 bytes read, 0 at end of stream, -1 on error or timeout.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            return count
        }
    }

    static func shutdownBoth(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    static func shutdownWrite(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }
    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    /// Waits up to `millis` for `fd` to become readable (or hung up). True when it is.
    static func waitReadable(_ fd: Int32, millis: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, millis)
        return ready > 0
    }

    /// True when the peer closed or reset the connection. Pipelined request bytes waiting to
    /// be read do not count as closed.
    static func peerHasClosed(_ fd: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN) | pollReadHangUp, revents: 0)
        let ready = poll(&entry, 1, 0)
        if ready <= 0 { return false }
        if entry.revents & (Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL) | pollReadHangUp) != 0 { return true }
        var byte: UInt8 = 0
        let peeked = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }
}
