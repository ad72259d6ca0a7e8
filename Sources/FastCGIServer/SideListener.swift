/// A second listening socket served alongside FastCGI, such as the metrics and health listener.
/// With pre-forked processes the master serves it in its own `poll` loop, so that it stays up
/// while serving processes are restarted; a single serving process serves it on a thread of its
/// own. `serveReady` is called when `fd` is readable and must answer what is waiting without
/// blocking for long. Work that must not block it runs on threads of the listener's own, which
/// `beforeFork` waits for: the master forks only while no other thread of its holds a lock.
public struct SideListener: Sendable {
    public let fd: Int32
    public let serveReady: @Sendable () -> Void
    public let beforeFork: @Sendable () -> Void

    public init(fd: Int32, serveReady: @escaping @Sendable () -> Void, beforeFork: @escaping @Sendable () -> Void = {}) {
        self.fd = fd
        self.serveReady = serveReady
        self.beforeFork = beforeFork
    }
}
