import ArgumentParser
import BotConfig
import BotStore
import Foundation
import Logging
import LongConnection
import LongConnectionService
import MessageIntake
import Metrics
import ServiceSupport
import StoreFactory

/// `wecom-ws`: holds the long connections of the long-connection bots (docs/architecture.md §9).
struct WeComWS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wecom-ws",
        abstract: "Connects the long-connection bots out to WeCom and relays their messages and answers.",
        discussion: """
        Run one per host for availability: each bot's one connection is held by a lease in the \
        store (WECOM_WS_LEASE), and a second process stands by and takes the bots over within \
        one lease period when the holder dies. SIGTERM/SIGINT: close the connections, give the \
        leases up, exit.
        """)

    @Option(name: .long, help: ArgumentHelp(
        "Serve GET /metrics and GET /healthz on this HOST:PORT, e.g. 127.0.0.1:9466 (off by default).",
        discussion: "A listener on a thread of its own; the store's bots are read on a connection of its own."))
    var metrics: String?

    func run() throws {
        // First, on the main thread: the threads started later (Swift's concurrency pool among
        // them) inherit the blocked SIGTERM/SIGINT, and only the signal thread takes them.
        ShutdownSignals.blockInThisAndNewThreads()
        let config = try StartUp.configuration()
        let logger = StartUp.logger(label: "wecom-ws", level: config.logLevel)
        let backend = try StoreFactory.backend(for: config)
        // A responder's share of the backend: it accepts messages, one store call at a time.
        let stores = try backend.startProcess(.responder(threads: 1), logger: logger)
        defer { stores.stop() }
        let store = try stores.openStore()
        let lane = StoreLane(store: store, signal: backend.makeJobSignal())
        defer { lane.close() }
        let connector = try WebSocketClientConnector(extraCAFile: config.wsCAFile, logger: logger)
        let holder = ConnectionHolder(host: ProcessInfo.processInfo.hostName, pid: getpid(),
                                      nonce: String(UInt32.random(in: .min ... .max), radix: 16))
        let wsMetrics = try metrics.map { _ in try WSMetrics() }
        let service = LongConnectionService(
            settings: WSServiceSettings(configuration: config), lane: lane, holder: holder, connector: connector,
            intake: MessageIntakeAdapter(MessageIntake(configuration: config, store: store, now: { Int64(Date().timeIntervalSince1970) })),
            images: MediaImageSender(), logger: logger, metrics: wsMetrics ?? NoSessionMetrics())
        let metricsThread = MetricsThread()
        if let address = metrics, let wsMetrics {
            let storeBots = StoreBotsReading(backend: backend)
            let storeCheck = BackgroundHealthCheck { backend.unreadableReason().map(Health.unhealthy) ?? .healthy }
            let listener = try MetricsListener(address: address, endpoints: MetricsEndpoints(
                metrics: { wsMetrics.scrape(storeBots: storeBots) },
                health: { service.isRunning ? storeCheck.health() : .unhealthy("the service loop is not running") }))
            logger.info("metrics listening", metadata: ["metrics.address": "\(listener.address)"])
            try metricsThread.start(listener)
        }
        ShutdownSignals.onFirstSignal { signal in
            logger.notice("received signal \(signal)")
            service.stop()
        }
        logger.info("wecom-ws started", metadata: ["holder": "\(holder)", "db": "\(backend)", "url": "\(config.wsURL)"])
        // The main thread only waits: the service runs on the concurrency pool.
        let stopped = DispatchSemaphore(value: 0)
        Task {
            await service.run()
            stopped.signal()
        }
        stopped.wait()
        metricsThread.stop()
        logger.info("wecom-ws stopped")
    }
}

WeComWS.main()
