import ArgumentParser
import BotConfig
import BotStore
import DifyClient
import Foundation
import Logging
import Metrics
import ServiceSupport
import StoreFactory
import WorkerCore

/// `wecom-worker`: drains the job queue, streaming Dify's answers into the store.
struct WeComWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wecom-worker",
        abstract: "Drains the wecom-bot job queue: calls Dify and streams answers into the store.",
        discussion: """
        Run as many processes as needed (systemd: wecom-worker@1..N); each runs --concurrency \
        jobs at once. SIGTERM/SIGINT: stop claiming, let in-flight answers finish for --grace \
        seconds, hand the rest back to the queue, exit.
        """)

    @Option(name: .long, help: "Jobs this process runs at once.")
    var concurrency: Int = 4

    @Option(name: .long, help: "Database connections the running answers share (plus one each for claiming, progress and checkpoints).")
    var storeConnections: Int = WorkerPool.defaultStoreConnections

    @Option(name: .long, help: "Seconds in-flight answers may take to finish after SIGTERM.")
    var grace: Double = 30

    @Option(name: .long, help: ArgumentHelp(
        "Serve GET /metrics and GET /healthz on this HOST:PORT, e.g. 127.0.0.1:9465 (off by default).",
        discussion: "A listener of its own, on a thread of its own."))
    var metrics: String?

    func validate() throws {
        guard (1...4096).contains(concurrency) else { throw ValidationError("--concurrency must be 1…4096") }
        guard (1...64).contains(storeConnections) else { throw ValidationError("--store-connections must be 1…64") }
        guard grace >= 0 else { throw ValidationError("--grace must be ≥ 0") }
    }

    func run() throws {
        let config = try StartUp.configuration()
        let logger = StartUp.logger(label: "wecom-worker", level: config.logLevel)
        ShutdownSignals.blockInThisAndNewThreads()
        let backend = try StoreFactory.backend(for: config)
        // First: a backend may have process-wide settings to make before the first connection.
        let stores = try backend.startProcess(.worker, logger: logger)
        defer { stores.stop() }
        let workerMetrics = try metrics.map { _ in try WorkerMetrics() }
        let pool = WorkerPool(
            configuration: config, concurrency: concurrency, storeConnections: storeConnections, logger: logger,
            metrics: workerMetrics.map { $0 as any JobMetrics } ?? NoJobMetrics(),
            makeClients: { RunnerClients(dify: DifyClient(), fetcher: SafeFetcher(), makePoster: { ResponseURLPoster() }) },
            makeJobWaiter: { try backend.makeJobWaiter() }, makeStore: { try stores.openStore() })
        let grace = self.grace
        ShutdownSignals.onFirstSignal { signal in
            logger.notice("received signal \(signal)")
            pool.stop(grace: grace)
        }
        logger.info("wecom-worker started", metadata: ["concurrency": "\(concurrency)", "db": "\(backend)",
                                                        "dify": "\(config.difyBaseURL ?? "per agent")"])
        let metricsThread = try metrics.map { address in
            try startMetrics(address: address, metrics: workerMetrics, pool: pool, backend: backend, logger: logger)
        }
        let code = pool.run()
        metricsThread?.stop()
        logger.info("wecom-worker stopped")
        throw ExitCode(code)
    }

    /// Starts the `/metrics` and `/healthz` listener on a thread of its own.
    private func startMetrics(address: String, metrics: WorkerMetrics?, pool: WorkerPool, backend: any StoreBackend,
                              logger: Logger) throws -> MetricsThread {
        let queue = QueueSnapshots(backend: backend)
        let listener = try MetricsListener(address: address, endpoints: MetricsEndpoints(
            metrics: {
                metrics?.scrape(busy: pool.busySlots, concurrency: pool.concurrency, queue: try? queue.current().get()) ?? ""
            },
            health: { queue.health(claiming: pool.isClaiming) }))
        logger.info("metrics listening", metadata: ["metrics.address": "\(listener.address)"])
        let thread = MetricsThread()
        try thread.start(listener)
        return thread
    }
}

WeComWorker.main()
