import BotStore
import Foundation
import Logging
import LongConnection
import Synchronization

/// `wecom-ws`, wired: the connection keeper (leases and sessions), the stream pusher and the
/// sender of messages the bot sends first, each driven by a loop of its own until ``stop()``.
public final class LongConnectionService: Sendable {
    private let keeper: ConnectionKeeper
    private let pusher: StreamPusher
    private let outbound: OutboundSender
    private let settings: WSServiceSettings
    private let lane: StoreLane
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let stopping: AsyncStream<Void>
    private let stopSink: AsyncStream<Void>.Continuation
    private let running = Atomic<Bool>(false)

    /// - Parameters:
    ///   - holder: this process, as the leases name it.
    ///   - connector: opens the WebSocket connections.
    ///   - intake: where callbacks go (``MessageIntake`` in the executable).
    ///   - now: unix seconds, for the store.
    ///   - metrics: where the sessions' frames, acks and reconnects and the bots held are counted.
    public init(settings: WSServiceSettings, lane: StoreLane, holder: ConnectionHolder, connector: any WebSocketConnector,
                intake: any FrameIntake, images: any ImageSending, logger: Logger,
                clock: any Clock<Duration> = ContinuousClock(),
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                metrics: any ServiceMetrics = NoSessionMetrics()) {
        self.settings = settings
        self.lane = lane
        self.clock = clock
        self.logger = logger
        let requestIDs = RequestIDGenerator()
        // One per process: the follow-ups of answers and the messages the bot sends first share
        // each conversation's 30 a minute.
        let limiter = ConversationRateLimiter(clock: ContinuousClock())
        let sessionSettings = settings.session
        let holderID = holder.id
        keeper = ConnectionKeeper(
            lane: lane, holder: holder, settings: settings,
            makeSession: { credentials, handler in
                BotSession(credentials: credentials, settings: sessionSettings, connector: connector, handler: handler,
                           logger: logger, clock: clock, requestIDs: requestIDs, metrics: metrics)
            },
            makeHandler: { botID in
                BotHandler(botID: botID, lane: lane, holder: holderID, intake: intake, logger: logger, now: now, clock: clock)
            },
            logger: logger, now: now, metrics: metrics)
        pusher = StreamPusher(lane: lane, holder: holderID, relay: StreamRelay(deadline: settings.streamDeadline),
                              frameGap: settings.frameGap, keeper: keeper, images: images, limiter: limiter, requestIDs: requestIDs,
                              logger: logger, now: now)
        outbound = OutboundSender(lane: lane, holder: holderID, keeper: keeper, settings: settings,
                                  requestIDs: requestIDs, limiter: limiter, logger: logger, now: now, clock: clock)
        (stopping, stopSink) = AsyncStream<Void>.makeStream()
    }

    /// Runs until ``stop()``; then closes every connection and gives the leases up.
    public func run() async {
        running.store(true, ordering: .relaxed)
        defer { running.store(false, ordering: .relaxed) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.loop(every: self.settings.lookEvery) { await self.keeper.tick() } }
            group.addTask { await self.loop(every: self.settings.pushPollInterval) { await self.pusher.tick() } }
            group.addTask { await self.loop(every: self.settings.outboundPollInterval) { await self.outbound.tick() } }
            for await _ in stopping { break }
            group.cancelAll()
        }
        await keeper.stopAll()
        logger.info("connections closed, leases given up")
    }

    /// Whether ``run()`` is running its loops (for `/healthz`).
    public var isRunning: Bool { running.load(ordering: .relaxed) }

    /// Asks ``run()`` to end; safe from any thread, once or more.
    public func stop() {
        stopSink.yield()
        stopSink.finish()
    }

    private func loop(every seconds: Double, _ body: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            await body()
            do { try await clock.sleep(for: .milliseconds(Int64(seconds * 1000))) } catch { return }
        }
    }
}
