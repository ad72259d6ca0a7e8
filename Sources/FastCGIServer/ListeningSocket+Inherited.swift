#if canImport(Glibc)
import Glibc
#endif

extension ListeningSocket {
    /// fd 0 handed over by spawn-fcgi or systemd `StandardInput=socket`.
    static func inherited() throws -> ListeningSocket {
        guard isListeningSocket(0) else {
            throw FastCGIError.invalidListener(
                "fd 0 is not a listening socket (start under spawn-fcgi or systemd StandardInput=socket, or give a socket path)")
        }
        let bound = describeBoundSocket(0) ?? "socket"
        return ListeningSocket(fd: 0, description: "fd 0 (\(bound))", isOwned: false)
    }

    /// systemd socket activation (sd_listen_fds(3)): the first passed socket is fd 3, and only if
    /// `LISTEN_PID` names this process. The variables are removed so that children (forked or
    /// exec'd) do not take the socket for theirs.
    static func systemd() throws -> ListeningSocket {
        let listenPID = getenv("LISTEN_PID").map { String(cString: $0) }
        let listenFDs = getenv("LISTEN_FDS").map { String(cString: $0) }
        guard let listenPID, pid_t(listenPID) == getpid() else {
            throw FastCGIError.invalidListener(
                "systemd listener requested but LISTEN_PID (\(listenPID ?? "unset")) is not this process (\(getpid()))")
        }
        guard let count = listenFDs.flatMap({ Int($0) }), count == 1 else {
            throw FastCGIError.invalidListener(
                "systemd passed LISTEN_FDS=\(listenFDs ?? "unset"); this server needs exactly one socket")
        }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        let fd: Int32 = 3
        guard isListeningSocket(fd) else {
            throw FastCGIError.invalidListener("systemd fd 3 is not a listening socket (check Accept=no in the .socket unit)")
        }
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        let bound = describeBoundSocket(fd) ?? "socket"
        return ListeningSocket(fd: fd, description: "systemd fd 3 (\(bound))", isOwned: false)
    }
}
