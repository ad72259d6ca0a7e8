import ArgumentParser
import BotConfig
import BotStore
import DifyClient
import Foundation
import Logging
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
        let pool = WorkerPool(
            configuration: config, concurrency: concurrency, storeConnections: storeConnections, logger: logger,
            makeClients: { RunnerClients(dify: DifyClient(), fetcher: SafeFetcher(), makePoster: { ResponseURLPoster() }) },
            makeJobWaiter: { try backend.makeJobWaiter() }, makeStore: { try stores.openStore() })
        let grace = self.grace
        ShutdownSignals.onFirstSignal { signal in
            logger.notice("received signal \(signal)")
            pool.stop(grace: grace)
        }
        logger.info("wecom-worker started", metadata: ["concurrency": "\(concurrency)", "db": "\(backend)",
                                                        "dify": "\(config.difyBaseURL ?? "per agent")"])
        let code = pool.run()
        logger.info("wecom-worker stopped")
        throw ExitCode(code)
    }
}

WeComWorker.main()
