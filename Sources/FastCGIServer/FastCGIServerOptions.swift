#if canImport(Glibc)
import Glibc
#endif

/// How a `FastCGIServer` runs. Every default is documented next to its property.
public struct FastCGIServerOptions: Sendable {
    /// Serving processes. 1 serves in the calling process; more starts a pre-fork master that
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

    /// Serving threads per process when the operator names none: about four serving threads
    /// per CPU core across all `processes`, at least 2 per process (so that group commit has
    /// company) and at most 4. On 2 cores: 4 threads with 1 or 2 processes, 2 with 4 processes.
    /// More threads than that only take turns on the cores and serve fewer requests in all
    /// (bench/README.md has the runs).
    public static func defaultThreads(processes: Int, cores: Int) -> Int {
        let perProcess = (4 * max(1, cores) + max(1, processes) - 1) / max(1, processes)
        return min(4, max(2, perProcess))
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
