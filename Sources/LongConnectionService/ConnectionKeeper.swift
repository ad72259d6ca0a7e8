import BotStore
import Logging
import LongConnection

/// Holds this process's share of the bots: takes the connection lease of every long-connection
/// bot nobody holds, runs a ``BotSession`` for each bot it holds, renews their leases, and stops
/// a session the moment its lease is lost, so that exactly one connection per bot exists across
/// all processes and hosts (docs/architecture.md §9).
actor ConnectionKeeper {
    private struct Link {
        let credentials: BotCredentials
        let session: BotSession
        let task: Task<Void, Never>
        /// When the lease was last renewed (the process's clock).
        var renewedAt: Double
    }

    private let lane: StoreLane
    private let holder: ConnectionHolder
    private let settings: WSServiceSettings
    private let makeSession: @Sendable (BotCredentials, any SessionHandler) -> BotSession
    private let makeHandler: @Sendable (String) -> any SessionHandler
    private let logger: Logger
    private let now: @Sendable () -> Double
    private let metrics: any ServiceMetrics
    private var links: [String: Link] = [:] {
        didSet { if links.count != oldValue.count { metrics.botsHeld(links.count) } }
    }
    /// Bots found taken over or refused, so that each is logged once, not every look.
    private var reported: [String: String] = [:]

    init(lane: StoreLane, holder: ConnectionHolder, settings: WSServiceSettings,
         makeSession: @escaping @Sendable (BotCredentials, any SessionHandler) -> BotSession,
         makeHandler: @escaping @Sendable (String) -> any SessionHandler, logger: Logger,
         now: @escaping @Sendable () -> Double, metrics: any ServiceMetrics = NoSessionMetrics()) {
        self.lane = lane
        self.holder = holder
        self.settings = settings
        self.makeSession = makeSession
        self.makeHandler = makeHandler
        self.logger = logger
        self.now = now
        self.metrics = metrics
    }

    /// Whether this process holds any bot: with none, there is nothing to push or send.
    var holdsAny: Bool { !links.isEmpty }

    /// The session of a bot this process holds; nil otherwise.
    func session(for botID: String) -> BotSession? { links[botID]?.session }

    /// One look at the store: take what is free, renew what is held, drop what was lost or removed.
    func tick() async {
        let wanted: [BotCredentials]
        let defaultBot = settings.defaultBot
        do {
            wanted = try await lane.run { try LongConnectionBots.wanted(in: $0, defaultBot: defaultBot) }
        } catch {
            logger.warning("cannot read the long-connection bots: \(error)")
            dropExpired()
            return
        }
        for bot in wanted { await keep(bot) }
        for (botID, _) in links where !wanted.contains(where: { $0.botID == botID }) {
            logger.info("bot \(botID): no longer a long-connection bot; closing its connection")
            await stop(botID, release: true)
        }
        dropExpired()
    }

    /// Stops every session and gives their leases up, so that a standby need not wait for them to expire.
    func stopAll() async {
        for botID in Array(links.keys) { await stop(botID, release: true) }
    }

    /// A session's `run()` ended: taken over, or stopped by us.
    func sessionEnded(_ botID: String, session: BotSession, end: SessionEnd) async {
        guard end == .takenOver, let link = links[botID], link.session === session else { return }
        links[botID] = nil
        let holder = holder.id, at = Int64(now())
        do {
            let marked = try await lane.run { try $0.markTakenOver(botID: botID, holder: holder, now: at) }
            if !marked {
                logger.notice("bot \(botID): disconnected_event after this process lost the lease; not marked taken over")
            }
        } catch {
            logger.error("bot \(botID): cannot mark the bot taken over: \(error)")
        }
    }

    private func keep(_ bot: BotCredentials) async {
        let botID = bot.botID, holder = holder.id, at = Int64(now()), lease = Int64(settings.lease.rounded(.up))
        if let link = links[botID] {
            if link.credentials != bot {
                logger.info("bot \(botID): its secret changed; reconnecting")
                await stop(botID, release: true)
                return
            }
            guard now() - link.renewedAt >= settings.renewEvery else { return }
            do {
                if try await lane.run({ try $0.renewConnection(botID: botID, holder: holder, now: at, lease: lease) }) {
                    links[botID]?.renewedAt = now()
                } else {
                    logger.warning("bot \(botID): lost the connection lease to another process; closing this connection")
                    await stop(botID, release: false)
                }
            } catch {
                logger.warning("bot \(botID): cannot renew the connection lease: \(error)")
            }
            return
        }
        let found: ConnectionLease
        do {
            found = try await lane.run { try $0.acquireConnection(botID: botID, holder: holder, now: at, lease: lease) }
        } catch {
            logger.warning("bot \(botID): cannot take the connection lease: \(error)")
            return
        }
        switch found {
        case .acquired:
            reported[botID] = nil
            start(bot)
        case let .held(by, _):
            if reported[botID] != "held" {
                logger.info("bot \(botID): held by \(ConnectionHolder(id: by)?.description ?? by); standing by")
                reported[botID] = "held"
            }
        case .takenOver:
            if reported[botID] != "takenOver" {
                logger.notice("bot \(botID): taken over by another client; not connecting until `wecomctl bots reconnect \(botID)`")
                reported[botID] = "takenOver"
            }
        }
    }

    private func start(_ bot: BotCredentials) {
        let session = makeSession(bot, makeHandler(bot.botID))
        let task = Task {
            let end = await session.run()
            await self.sessionEnded(bot.botID, session: session, end: end)
        }
        links[bot.botID] = Link(credentials: bot, session: session, task: task, renewedAt: now())
        logger.info("bot \(bot.botID): took the connection lease; connecting")
    }

    private func stop(_ botID: String, release: Bool) async {
        guard let link = links.removeValue(forKey: botID) else { return }
        link.task.cancel()
        await link.task.value
        guard release else { return }
        let holder = holder.id, at = Int64(now())
        _ = try? await lane.run { try $0.releaseConnection(botID: botID, holder: holder, now: at) }
    }

    /// A lease not renewed for its whole length (the store unreachable) may be another process's
    /// by now: stop using its connection rather than risk two.
    private func dropExpired() {
        let now = now()
        for (botID, link) in links where now - link.renewedAt > settings.lease {
            logger.warning("bot \(botID): the connection lease could not be renewed in time; closing this connection")
            link.task.cancel()
            links[botID] = nil
        }
    }
}
