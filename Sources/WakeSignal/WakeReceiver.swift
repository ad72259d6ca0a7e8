import Glibc

/// A worker's wake-up socket: `<directory>/worker-<pid>.sock`, removed again on close.
public final class WakeReceiver {
    public let path: String
    private let fd: Int32

    public enum Failure: Error, CustomStringConvertible {
        case socket(function: String, errno: Int32, path: String)
        public var description: String {
            switch self {
            case let .socket(function, code, path): return "\(function)(\(path)) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    public init(directory: String, name: String = "worker-\(getpid())") throws {
        mkdir(directory, 0o770)
        path = directory + "/" + name + ".sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.socket(function: "socket", errno: errno, path: path) }
        unlink(path)
        let rc = withUnixAddress(path) { addr, len in bind(fd, addr, len) } ?? -1
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw Failure.socket(function: "bind", errno: code, path: path)
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Waits up to `timeout` seconds for a nudge, then drains every pending one.
    /// Returns true when woken, false on timeout.
    @discardableResult
    public func wait(timeout: Double) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, min(timeout, 3600)) * 1000)
        let ready = poll(&pfd, 1, ms)
        guard ready > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        while recv(fd, &buffer, buffer.count, 0) > 0 {}
        return true
    }
}

@available(*, unavailable) extension WakeReceiver: Sendable {}
