#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import Threads

/// A FastCGI responder on libfcgi: opens (or adopts) the listening socket at `init`, then
/// `run` serves in this process or supervises pre-forked children.
///
/// Sendable: every stored property is immutable or atomic, so `requestShutdown()` may be called
/// from any thread while another thread is inside `serve`.
public final class FastCGIServer: Sendable {
    public let options: FastCGIServerOptions
    let logger: Logger
    let socket: ListeningSocket
    private let stopRequested = Atomic<Bool>(false)
    private let liveServingProcesses = Atomic<Int>(0)

    /// Exit code of a serving process whose `makeApplication` threw: the master stops instead of
    /// restarting it in a loop (EX_CONFIG from sysexits.h).
    static let applicationFailedExitCode: Int32 = 78

    /// Opens or validates the listening socket; see `ListenerSpec` for each kind.
    public init(listener: ListenerSpec, options: FastCGIServerOptions = FastCGIServerOptions(), logger: Logger) throws {
        try options.validate()
        self.options = options
        self.logger = logger
        socket = try ListeningSocket.open(listener, options: options)
        if case let .tcp(host, _) = listener, host.isEmpty {
            logger.warning("FastCGI listens on all interfaces; FastCGI has no authentication, prefer 127.0.0.1:port or a unix socket",
                           metadata: ["fcgi.listener": "\(socket.description)"])
        }
    }

    /// What the server listens on, for logs: `unix:/run/app/fcgi.sock`, `tcp:127.0.0.1:9000`,
    /// `fd 0 (unix:/run/app/fcgi.sock)`, `systemd fd 3 (…)`.
    public var boundDescription: String { socket.description }

    /// Serving processes running now (the master's children, or 1 while a single process
    /// serves), for health checks: read by the side listener in the same process.
    public var servingProcesses: Int { liveServingProcesses.load(ordering: .acquiring) }

    func setServingProcesses(_ count: Int) { liveServingProcesses.store(count, ordering: .releasing) }

    /// Serves until SIGTERM, SIGINT or SIGUSR1 and returns the process exit code.
    ///
    /// `processes == 1`: installs the serving-process signal handlers, calls `FCGX_Init`, builds the
    /// application and serves on the calling thread. `processes > 1`: becomes a pre-fork master
    /// (see `PreforkMaster`); each child calls `FCGX_Init` and `makeApplication` after the fork.
    /// Call it from the main thread before starting other threads (fork keeps only the caller).
    /// On return the listening socket is closed (and an own unix socket file removed).
    /// `side` is served by the master, or on its own thread by a single serving process.
    public func run(side: SideListener? = nil, makeApplication: () throws -> FastCGIApplication) -> Int32 {
        SignalHandling.ignoreSIGPIPE()
        SignalHandling.clearInheritedMask()
        defer { socket.close() }
        if options.processes > 1 {
            var master = PreforkMaster(server: self, side: side)
            return master.run(makeApplication: makeApplication)
        }
        do {
            try SignalHandling.installServingHandlers(listenFD: socket.fd)
        } catch {
            logger.critical("cannot install signal handlers: \(error)")
            return 1
        }
        logger.info("serving", metadata: ["fcgi.listener": "\(socket.description)", "fcgi.pid": "\(getpid())"])
        let sideThread: SideThread?
        do {
            sideThread = try side.map { try SideThread(serving: $0) }
        } catch {
            logger.critical("cannot start the side listener's thread: \(error)")
            return 1
        }
        setServingProcesses(1)
        let code = runServingProcess(makeApplication: makeApplication, logger: logger)
        setServingProcesses(0)
        sideThread?.stopAndJoin()
        return code
    }

    /// Serves on the calling thread until `requestShutdown()` (or a stop signal, if `run`
    /// installed the handlers) and returns after the in-flight request. Installs no signal
    /// handlers: for tests and for embedding in a process that owns its signals.
    public func serve(_ application: FastCGIApplication) throws {
        try serve(application, logger: logger)
    }

    /// Makes `serve` return after its in-flight request. Safe from any thread. For a socket this
    /// server created, the socket is shut down to wake the blocked `accept()`; an inherited or
    /// systemd socket is shared with other processes and is left alone, so the loop then stops
    /// only after its next request.
    public func requestShutdown() {
        stopRequested.store(true, ordering: .releasing)
        socket.shutdownForStop()
    }

    var isStopRequested: Bool {
        stopRequested.load(ordering: .acquiring) || SignalHandling.servingStopRequested.load(ordering: .acquiring)
    }

    /// - Parameter masksSignals: block the stop signals while a request is handled (a thread
    ///   of a process whose serving handlers are installed).
    func serve(_ application: FastCGIApplication, logger: Logger,
               masksSignals: Bool = SignalHandling.isFirstServingThread) throws {
        SignalHandling.ignoreSIGPIPE()
        let loop = RequestLoop(listenFD: socket.fd, maxBodyBytes: options.maxBodyBytes, logger: logger,
                               masksSignals: masksSignals, shouldStop: { [self] in isStopRequested })
        try loop.run(application)
    }

    /// With several serving threads, their log lines say which one served (`fcgi.thread`).
    static func logger(_ logger: Logger, thread: Int, of threads: Int) -> Logger {
        guard threads > 1 else { return logger }
        var threadLogger = logger
        threadLogger[metadataKey: "fcgi.thread"] = "\(thread)"
        return threadLogger
    }

    /// A serving process (the only one, or a pre-fork child): `FCGX_Init`, then one application
    /// per serving thread (`makeApplication` is called `options.threads` times, on this thread,
    /// before any request is served), then the accept loops. Returns the exit code once every
    /// thread has finished its last request.
    func runServingProcess(makeApplication: () throws -> FastCGIApplication, logger: Logger) -> Int32 {
        do {
            try FastCGILibrary.initialize()
        } catch {
            logger.critical("\(error)")
            return 1
        }
        var applications: [FastCGIApplication] = []
        do {
            for _ in 0..<options.threads { applications.append(try makeApplication()) }
        } catch {
            logger.critical("cannot build the application: \(error)")
            return Self.applicationFailedExitCode
        }
        let others = ServingThreads()
        var code: Int32 = 0
        do {
            try others.start(Array(applications.dropFirst()), logger: logger) { [self] application, threadLogger in
                try serve(application, logger: threadLogger, masksSignals: true)
            }
            try serve(applications[0], logger: Self.logger(logger, thread: 0, of: options.threads))
        } catch {
            logger.error("accept loop failed: \(error)")
            code = 1
        }
        others.stopAndJoin()
        for application in applications { application.servingDidStop() }
        if others.failed.load(ordering: .acquiring) { code = 1 }
        if code == 0 { logger.info("stopped after the last request") }
        return code
    }
}
