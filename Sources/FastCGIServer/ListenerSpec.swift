#if canImport(Glibc)
import Glibc
#endif

/// Where the FastCGI listening socket comes from.
public enum ListenerSpec: Sendable, Equatable, CustomStringConvertible {
    /// fd 0 is a listening socket (spawn-fcgi, systemd `StandardInput=socket`).
    case inherited
    /// systemd socket activation: `LISTEN_PID` is this process and the socket is fd 3.
    case systemd
    /// A unix socket this server creates: refused if a live server answers on the path, a stale
    /// socket file is replaced, the mode is `FastCGIServerOptions.socketMode`.
    case unix(path: String)
    /// A TCP socket this server creates. An empty host means all interfaces.
    case tcp(host: String, port: Int)

    /// Longest unix socket path: `sun_path` is 108 bytes including the terminating NUL.
    static let maxUnixPathBytes = 107

    /// Parses `unix:/path`, `/path`, `host:port`, `[v6addr]:port` and `:port`.
    /// Throws `FastCGIError.invalidListener` with a one-line message otherwise.
    public static func parse(_ text: String) throws -> ListenerSpec {
        func invalid(_ why: String) -> FastCGIError {
            .invalidListener("invalid listener \"\(text)\": \(why)")
        }
        if text.hasPrefix("unix:") || text.hasPrefix("/") {
            let path = text.hasPrefix("unix:") ? String(text.dropFirst(5)) : text
            guard !path.isEmpty else { throw invalid("unix: needs a socket path") }
            guard !path.utf8.contains(0) else { throw invalid("the path contains a NUL byte") }
            guard path.utf8.count <= maxUnixPathBytes else {
                throw invalid("unix socket paths are limited to \(maxUnixPathBytes) bytes")
            }
            return .unix(path: path)
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw invalid("expected unix:/path, /path, host:port or :port")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
              let port = Int(portText), (1...65535).contains(port) else {
            throw invalid("the port must be a number from 1 to 65535")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count >= 2 {
            host = String(host.dropFirst().dropLast())
            guard !host.isEmpty else { throw invalid("empty IPv6 address in brackets") }
        } else if host.contains(":") {
            throw invalid("write IPv6 addresses in brackets, as [::1]:9000")
        }
        guard !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }) else {
            throw invalid("the host contains characters a host name cannot have")
        }
        return .tcp(host: host, port: port)
    }

    /// What to use when no listener was configured: `.systemd` if `LISTEN_PID` is this process,
    /// else `.inherited` if fd 0 is a listening socket, else nil.
    public static func detect() -> ListenerSpec? {
        detect(environment: { name in getenv(name).map { String(cString: $0) } },
               pid: getpid(),
               fd0IsListening: { isListeningSocket(0) })
    }

    static func detect(environment: (String) -> String?, pid: pid_t,
                       fd0IsListening: () -> Bool) -> ListenerSpec? {
        if let listenPID = environment("LISTEN_PID").flatMap({ pid_t($0) }), listenPID == pid,
           let count = environment("LISTEN_FDS").flatMap({ Int($0) }), count >= 1 {
            return .systemd
        }
        return fd0IsListening() ? .inherited : nil
    }

    public var description: String {
        switch self {
        case .inherited: return "inherited fd 0"
        case .systemd: return "systemd fd 3"
        case let .unix(path): return "unix:\(path)"
        case let .tcp(host, port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// True when `fd` is a socket in the listening state (`SO_ACCEPTCONN`).
func isListeningSocket(_ fd: Int32) -> Bool {
    var accepting: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting != 0
}
