#if canImport(Glibc)
import Glibc
#endif

extension ListeningSocket {
    /// Resolves `host` (numeric or a name; empty means all interfaces) and listens on the first
    /// address that binds, with SO_REUSEADDR as `FCGX_OpenSocket` does.
    static func tcp(host: String, port: Int, backlog: Int32) throws -> ListeningSocket {
        let target = ListenerSpec.tcp(host: host, port: port).description
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let message = String(cString: gai_strerror(rc))
            throw FastCGIError.invalidListener("cannot resolve \(target): \(message)")
        }
        defer { freeaddrinfo(first) }

        var lastError = FastCGIError.invalidListener("no address to listen on for \(target)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            do {
                let fd = try FastCGIError.check(
                    socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0),
                    "socket", target)
                var keep = false
                defer { if !keep { _ = Glibc.close(fd) } }
                var one: Int32 = 1
                try FastCGIError.check(
                    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)),
                    "setsockopt(SO_REUSEADDR)", target)
                try FastCGIError.check(bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen), "bind", target)
                try FastCGIError.check(listen(fd, backlog), "listen", target)
                keep = true
                return ListeningSocket(fd: fd, description: describeBoundSocket(fd) ?? "tcp:\(target)", isOwned: true)
            } catch {
                lastError = error as? FastCGIError ?? lastError
            }
        }
        throw lastError
    }
}
