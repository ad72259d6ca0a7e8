#if canImport(Glibc)
import Glibc
#endif

extension ListeningSocket {
    /// Creates, binds and listens on a unix socket, like spawn-fcgi: if the path exists and a
    /// live server answers on it, refuse; if it is a stale socket file, replace it; never replace
    /// something that is not a socket. The mode is set before `listen()`, so no client can
    /// connect while the socket still has the umask's permissions.
    static func unix(path: String, mode: mode_t, backlog: Int32) throws -> ListeningSocket {
        let target = "unix:" + path
        let fd = try FastCGIError.check(
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0), "socket", target)
        var keep = false
        defer { if !keep { _ = Glibc.close(fd) } }

        var bindError = try bindUnix(fd, path: path)
        if bindError == EADDRINUSE {
            try removeStaleSocket(at: path)
            bindError = try bindUnix(fd, path: path)
        }
        if bindError != 0 { throw FastCGIError.system(function: "bind", target: target, errno: bindError) }

        let file: UnixSocketFile
        do {
            try FastCGIError.check(chmod(path, mode), "chmod", target)
            file = try UnixSocketFile(path: path)
            try FastCGIError.check(listen(fd, backlog), "listen", target)
        } catch {
            unlink(path)
            throw error
        }
        keep = true
        return ListeningSocket(fd: fd, description: target, isOwned: true, unixFile: file)
    }

    /// Makes way for a new socket at `path`: throws `.socketInUse` if a server accepts
    /// connections there (a full backlog, EAGAIN, also counts as live), refuses to remove a file
    /// that is not a socket, and unlinks a socket nobody listens on (ECONNREFUSED).
    static func removeStaleSocket(at path: String) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw FastCGIError.system(function: "lstat", target: path, errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw FastCGIError.invalidListener("\(path) exists and is not a socket; refusing to replace it")
        }
        let probe = try FastCGIError.check(
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0),
            "socket", "unix:" + path)
        defer { _ = Glibc.close(probe) }
        let connectError = try withUnixAddress(path) { address, length in
            connect(probe, address, length) == 0 ? 0 : errno
        }
        switch connectError {
        case 0, EAGAIN, EINPROGRESS:
            throw FastCGIError.socketInUse(path: path)
        case ECONNREFUSED:
            if unlink(path) != 0 && errno != ENOENT {
                throw FastCGIError.system(function: "unlink", target: path, errno: errno)
            }
        case ENOENT:
            return
        default:
            throw FastCGIError.system(function: "connect", target: "unix:" + path, errno: connectError)
        }
    }

    /// Binds `fd` to `path`; returns 0 or the errno of `bind()`.
    private static func bindUnix(_ fd: Int32, path: String) throws -> Int32 {
        try withUnixAddress(path) { address, length in bind(fd, address, length) == 0 ? 0 : errno }
    }
}

/// Calls `body` with a `sockaddr_un` for `path`.
func withUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws -> R {
    let bytes = Array(path.utf8)
    guard !bytes.isEmpty, bytes.count <= ListenerSpec.maxUnixPathBytes, !bytes.contains(0) else {
        throw FastCGIError.invalidListener(
            "unix socket path must be 1 to \(ListenerSpec.maxUnixPathBytes) bytes without NUL: \(path)")
    }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
    }
}
