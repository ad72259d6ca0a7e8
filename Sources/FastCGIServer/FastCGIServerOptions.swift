#if canImport(Glibc)
import Glibc
#endif

/// How a `FastCGIServer` runs. Every default is documented next to its property.
public struct FastCGIServerOptions: Sendable {
    /// Worker processes. 1 serves in the calling process; more starts a pre-fork master that
    /// supervises that many children. Default 1.
    public var processes: Int
    /// Serving threads in each serving process, each with its own application instance
    /// (`makeApplication` runs once per thread) accepting on the same socket. Default 1.
    public var threads: Int
    /// Largest request body handed to the application; a larger `CONTENT_LENGTH` is answered
    /// with 413 without reading the body. Default 1 MiB.
    public var maxBodyBytes: Int
    /// Permissions of a unix socket this server creates (`.unix(path:)` only). Default 0660,
    /// so nginx's group can connect once the socket's group is set.
    public var socketMode: mode_t
    /// `listen()` backlog for sockets this server creates. A full backlog gives nginx an
    /// immediate 502 on unix sockets, so keep it large. Default 1024.
    public var listenBacklog: Int32
    /// How long the pre-fork master waits for children to finish their in-flight request after
    /// forwarding SIGTERM, before it sends SIGKILL. Default 15 s.
    public var stopTimeout: Duration

    public init(processes: Int = 1, threads: Int = 1, maxBodyBytes: Int = 1 << 20, socketMode: mode_t = 0o660,
                listenBacklog: Int32 = 1024, stopTimeout: Duration = .seconds(15)) {
        self.processes = processes
        self.threads = threads
        self.maxBodyBytes = maxBodyBytes
        self.socketMode = socketMode
        self.listenBacklog = listenBacklog
        self.stopTimeout = stopTimeout
    }

    func validate() throws {
        guard processes >= 1 else { throw FastCGIError.invalidOptions("processes must be at least 1 (got \(processes))") }
        guard (1...256).contains(threads) else { throw FastCGIError.invalidOptions("threads must be 1…256 (got \(threads))") }
        guard maxBodyBytes >= 0, maxBodyBytes <= Int(Int32.max) else {
            throw FastCGIError.invalidOptions("maxBodyBytes must be between 0 and \(Int32.max) (got \(maxBodyBytes))")
        }
        guard socketMode & ~0o777 == 0 else { throw FastCGIError.invalidOptions("socketMode must be a permission mode like 0o660") }
        guard listenBacklog > 0 else { throw FastCGIError.invalidOptions("listenBacklog must be positive") }
        guard stopTimeout >= .zero else { throw FastCGIError.invalidOptions("stopTimeout must not be negative") }
    }
}
