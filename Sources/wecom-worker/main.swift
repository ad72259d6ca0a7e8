import ArgumentParser
import BotConfig
import BotStore
import DifyClient
import Foundation
import Logging
import SQLiteStore
import ServiceSupport
import WorkerCore

/// `wecom-worker`: drains the job queue, streaming Dify's answers into SQLite.
struct WeComWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wecom-worker",
        abstract: "Drains the wecom-bot job queue: calls Dify and streams answers into the SQLite store.",
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
        if !SQLiteStore.skipPageCachePreallocation() {
            logger.warning("SQLite was already in use: connections keep their page-cache preallocation")
        }
        try StartUp.prepareDatabase(config)
        let path = config.databasePath
        let pool = WorkerPool(
            configuration: config, concurrency: concurrency, storeConnections: storeConnections, logger: logger,
            makeClients: { RunnerClients(dify: DifyClient(), fetcher: SafeFetcher(), makePoster: { ResponseURLPoster() }) }
        ) {
            try SQLiteStore(path: path, autoCheckpointPages: 0)  // the checkpointer below does it
        }
        // The WAL is copied back by this thread (as in every responder), never by an answer's write.
        let checkpointer = BackgroundCheckpointer(store: try SQLiteStore(path: path), logger: logger)
        checkpointer.start()
        defer { checkpointer.stop() }
        let grace = self.grace
        ShutdownSignals.onFirstSignal { signal in
            logger.notice("received signal \(signal)")
            pool.stop(grace: grace)
        }
        logger.info("wecom-worker started", metadata: ["concurrency": "\(concurrency)", "db": "\(path)",
                                                        "dify": "\(config.difyBaseURL ?? "per agent")"])
        let code = pool.run()
        logger.info("wecom-worker stopped")
        throw ExitCode(code)
    }
}

WeComWorker.main()
