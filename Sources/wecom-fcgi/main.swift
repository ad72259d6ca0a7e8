import ArgumentParser
import BotConfig
import CallbackHandler
import FastCGIServer
import Foundation
import Logging
import Metrics
import ServiceSupport
import StoreFactory

/// `wecom-fcgi`: the FastCGI responder behind nginx for `/wecom/callback/<botid>`.
struct WeComFCGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wecom-fcgi",
        abstract: "FastCGI responder for WeCom AI-bot callbacks (/wecom/callback/<botid>).",
        discussion: """
        Listens on the socket it inherits on fd 0 (spawn-fcgi, systemd StandardInput=socket), \
        on LISTEN_FDS (systemd socket activation), or on its own --socket. Configuration comes \
        from the environment and .env (see the README); the database is WECOM_DB_PATH.
        """)

    @Option(name: .long, help: "Own socket: unix:/path/to.sock, /path/to.sock, host:port or :port.")
    var socket: String?

    @Option(name: .long, help: "Pre-forked FastCGI processes sharing the socket (restarted when they die).")
    var processes: Int = 1

    @Option(name: .long, help: ArgumentHelp(
        "Serving threads in each process, each with its own database connection (default: about 4 per CPU core across all processes, 2…4 per process).",
        discussion: "Threads of one process commit their new messages together (group commit)."))
    var threads: Int?

    @Option(name: .long, help: "Unix socket permissions (octal), for nginx's user.")
    var socketMode: String = "660"

    @Option(name: .long, help: ArgumentHelp(
        "Serve GET /metrics and GET /healthz on this HOST:PORT, e.g. 127.0.0.1:9464 (off by default).",
        discussion: "A listener of its own, served by the pre-fork master: one scrape totals every serving process."))
    var metrics: String?

    func validate() throws {
        guard (1...256).contains(processes) else { throw ValidationError("--processes must be 1…256") }
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be 1…64") }
        guard mode_t(socketMode, radix: 8) != nil else { throw ValidationError("--socket-mode must be octal, e.g. 660") }
    }

    func run() throws {
        let config = try StartUp.configuration()
        let logger = StartUp.logger(label: "wecom-fcgi", level: config.logLevel)
        let listener: ListenerSpec
        if let socket {
            listener = try ListenerSpec.parse(socket)
        } else if let detected = ListenerSpec.detect() {
            listener = detected
        } else {
            throw ValidationError("no listening socket: pass --socket, or start under spawn-fcgi or systemd socket activation")
        }
        let backend = try StoreFactory.backend(for: config)
        // Here, before any fork: a database that cannot be prepared stops the start with one line.
        try backend.prepare()
        let threads = threads ?? FastCGIServerOptions.defaultThreads(
            processes: processes, cores: ProcessInfo.processInfo.activeProcessorCount)
        var options = FastCGIServerOptions()
        options.processes = processes
        options.threads = threads
        options.maxBodyBytes = config.maxBodyBytes
        options.socketMode = mode_t(socketMode, radix: 8) ?? 0o660
        let server = try FastCGIServer(listener: listener, options: options, logger: logger)
        // Mapped here, before the server forks, so that every serving process shares it.
        let responderMetrics = try metrics.map { _ in try ResponderMetrics() }
        let storeCheck = metrics.map { _ in
            BackgroundHealthCheck { backend.unreadableReason().map(Health.unhealthy) ?? .healthy }
        }
        let metricsListener = try metrics.map { address in
            try MetricsListener(address: address, endpoints: MetricsEndpoints(
                metrics: { responderMetrics?.scrape(server: server) ?? "" }, health: {
                    storeCheck.map { ResponderMetrics.health(server: server, storeCheck: $0) } ?? .healthy
                }))
        }
        if let metricsListener { logger.info("metrics listening", metadata: ["metrics.address": "\(metricsListener.address)"]) }
        logger.info("wecom-fcgi serving", metadata: ["socket": "\(server.boundDescription)", "processes": "\(processes)",
                                                     "threads": "\(threads)",
                                                     "db": "\(backend)"])
        // Per serving process: what its threads share of the store (started after the fork, in
        // the child). Per serving thread: a handler with its own connection and job signal.
        // `makeApplication` runs once per thread, in the serving process.
        var shared: ServingProcess?
        let side = metricsListener.map { listener in
            SideListener(fd: listener.fd, serveReady: { listener.serveReady() }, beforeFork: { storeCheck?.waitForCheck() })
        }
        let code = server.run(side: side) {
            let process = try shared ?? ServingProcess(backend: backend, threads: threads, logger: logger)
            shared = process
            let handler = CallbackHandler(configuration: config, store: try process.stores.openStore(),
                                          jobSignal: backend.makeJobSignal(), logger: logger)
            return CallbackApplication(handler: handler, process: process, metrics: responderMetrics)
        }
        withExtendedLifetime(metricsListener) {}
        throw ExitCode(code)
    }
}

/// Adapts the transport-neutral callback handler to the FastCGI server.
final class CallbackApplication: FastCGIApplication {
    let handler: CallbackHandler
    /// Kept for the life of the serving process (shared by its threads' applications).
    let process: ServingProcess
    let metrics: ResponderMetrics?
    init(handler: CallbackHandler, process: ServingProcess, metrics: ResponderMetrics?) {
        self.handler = handler
        self.process = process
        self.metrics = metrics
    }

    func servingDidStop() { process.logSummaryOnce() }

    func didRefuse(_ refusal: FastCGIRefusal, elapsed: Duration) { metrics?.record(refusal, elapsed: elapsed) }

    func respond(to request: FastCGIRequest) -> FastCGIResponse {
        let path = request.pathInfo.isEmpty ? request.requestURI : request.pathInfo
        let started = metrics == nil ? nil : ContinuousClock.now
        let answer = handler.handle(CallbackRequest(method: request.method, path: path,
                                                    query: request.queryString, body: request.body))
        if let metrics, let started { metrics.record(answer, elapsed: ContinuousClock.now - started) }
        return FastCGIResponse(status: answer.status, contentType: answer.contentType, body: answer.body,
                               headers: answer.headers, reason: answer.reason, logFields: answer.logFields,
                               routine: answer.routine)
    }
}

WeComFCGI.main()
