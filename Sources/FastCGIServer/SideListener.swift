/// A second listening socket served alongside FastCGI, such as the metrics and health listener.
/// With pre-forked processes the master serves it in its own `poll` loop, so that it stays up
/// while serving processes are restarted and no other thread exists in the master when it
/// forks; a single serving process serves it on a thread of its own. `serveReady` is called
/// when `fd` is readable and must answer what is waiting without blocking for long.
public struct SideListener: Sendable {
    public let fd: Int32
    public let serveReady: @Sendable () -> Void

    public init(fd: Int32, serveReady: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.serveReady = serveReady
    }
}
