#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The listening socket of a server.
///
/// A socket this process created (`.unix`, `.tcp`) is owned: `close()` (and `deinit`) closes the
/// fd and removes the unix socket file, but only in the process that created it (never in a
/// forked child) and only if the path still names this socket (a successor may have replaced it).
/// Inherited and systemd sockets are never closed or unlinked: they belong to spawn-fcgi or
/// systemd, which hand them to the next instance (systemd.socket(5): "must not unlink").
final class ListeningSocket: Sendable {
    let fd: Int32
    /// For logs: `unix:/run/app/fcgi.sock`, `tcp:127.0.0.1:9000`, `fd 0 (unix:/run/x.sock)`.
    let description: String
    let isOwned: Bool
    private let unixFile: UnixSocketFile?
    private let creatorPID: pid_t
    private let closed = Atomic<Bool>(false)

    /// A socket file this process bound, identified by device and inode.
    struct UnixSocketFile: Sendable {
        let path: String
        let device: dev_t
        let inode: ino_t

        init(path: String) throws {
            var info = stat()
            try FastCGIError.check(lstat(path, &info), "lstat", path)
            self.path = path
            device = info.st_dev
            inode = info.st_ino
        }

        var isStillOurs: Bool {
            var info = stat()
            return lstat(path, &info) == 0 && info.st_dev == device && info.st_ino == inode
        }
    }

    init(fd: Int32, description: String, isOwned: Bool, unixFile: UnixSocketFile? = nil) {
        self.fd = fd
        self.description = description
        self.isOwned = isOwned
        self.unixFile = unixFile
        creatorPID = getpid()
    }

    deinit { close() }

    /// Opens the socket `spec` describes. Sockets this server creates get a real error (with
    /// errno) instead of `FCGX_OpenSocket`'s `exit()`.
    static func open(_ spec: ListenerSpec, options: FastCGIServerOptions) throws -> ListeningSocket {
        switch spec {
        case .inherited: return try inherited()
        case .systemd: return try systemd()
        case let .unix(path): return try unix(path: path, mode: options.socketMode, backlog: options.listenBacklog)
        case let .tcp(host, port): return try tcp(host: host, port: port, backlog: options.listenBacklog)
        }
    }

    /// Closes an owned socket and removes its file (see the type's documentation). Idempotent.
    func close() {
        guard isOwned, !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let file = unixFile, getpid() == creatorPID, file.isStillOurs {
            unlink(file.path)
        }
        _ = Glibc.close(fd)
    }

    /// Wakes every thread blocked in `accept()` on this socket (accept then fails with EINVAL).
    /// Only for owned sockets: a shared socket would stop every process that accepts on it.
    func shutdownForStop() {
        guard isOwned, !closed.load(ordering: .acquiring) else { return }
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }
}

/// `unix:/path`, `tcp:host:port` or `fd N` for the socket bound at `fd`, from getsockname().
func describeBoundSocket(_ fd: Int32) -> String? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let rc = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard rc == 0 else { return nil }
    switch Int32(storage.ss_family) {
    case AF_UNIX:
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { address in
                withUnsafeBytes(of: address.pointee.sun_path) { raw in
                    let bytes = raw.prefix(while: { $0 != 0 })
                    return bytes.isEmpty ? "unix:(unnamed)" : "unix:" + String(decoding: bytes, as: UTF8.self)
                }
            }
        }
    case AF_INET, AF_INET6:
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                            NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard rc == 0 else { return nil }
        let hostText = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let portText = String(decoding: service.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return hostText.contains(":") ? "tcp:[\(hostText)]:\(portText)" : "tcp:\(hostText):\(portText)"
    default:
        return nil
    }
}
