import BotStore
import Logging
import LongConnection

/// Sends the messages the bot sends first (`wecomctl send`): claims the queued ones of the bots
/// this process holds, sends each with `aibot_send_msg` over the bot's connection, and records
/// the outcome for `wecomctl` to print.
actor OutboundSender {
    private let lane: StoreLane
    private let holder: String
    private let keeper: ConnectionKeeper
    private let settings: WSServiceSettings
    private let requestIDs: RequestIDGenerator
    private let limiter: ConversationRateLimiter<ContinuousClock>
    private let logger: Logger
    private let now: @Sendable () -> Double
    private let clock: any Clock<Duration>
    /// How long a claim lasts: longer than a send may take (the connection wait and the ack).
    private var claimLease: Int64 { Int64(settings.outboundConnectWait.rounded(.up)) + 30 }

    init(lane: StoreLane, holder: String, keeper: ConnectionKeeper, settings: WSServiceSettings,
         requestIDs: RequestIDGenerator, limiter: ConversationRateLimiter<ContinuousClock>, logger: Logger,
         now: @escaping @Sendable () -> Double, clock: any Clock<Duration>) {
        self.limiter = limiter
        self.lane = lane
        self.holder = holder
        self.keeper = keeper
        self.settings = settings
        self.requestIDs = requestIDs
        self.logger = logger
        self.now = now
        self.clock = clock
    }

    /// Claims what is queued and sends it, each message in a task of its own.
    func tick() async {
        guard await keeper.holdsAny else { return }
        let holder = holder, at = Int64(now()), lease = claimLease
        let claimed: [OutboundMessage]
        do {
            claimed = try await lane.run { try $0.claimOutbound(holder: holder, now: at, lease: lease, limit: 32) }
        } catch {
            logger.warning("cannot claim the messages to send: \(error)")
            return
        }
        for message in claimed {
            Task { await self.send(message) }
        }
    }

    private func send(_ message: OutboundMessage) async {
        var log = logger
        log[metadataKey: "outbound"] = "\(message.id)"
        log[metadataKey: "bot"] = "\(message.botID)"
        let outcome: OutboundOutcome
        if let session = await subscribedSession(message.botID) {
            do {
                // WeCom allows 30 replies and pushes a minute per conversation; waiting for the
                // turn beats a refusal (846607) the operator would have to retry by hand.
                try await limiter.waitForTurn(message.target.chatID)
                let ack = try await session.send(.sendMarkdown(reqID: requestIDs.next(.sendMessage), to: message.target,
                                                               content: message.markdown))
                outcome = ack.isSuccess ? .sent : .failed(errcode: ack.errcode, errmsg: ack.errmsg)
            } catch LongConnectionError.ackTimeout(_, _) {
                outcome = .failed(errcode: nil, errmsg: "WeCom did not acknowledge it: it may or may not have arrived")
            } catch {
                outcome = .failed(errcode: nil, errmsg: "not sent: \(error)")
            }
        } else {
            outcome = .failed(errcode: nil, errmsg: "not sent: the bot's connection is down")
        }
        switch outcome {
        case .sent: log.info("message sent")
        case let .failed(errcode, errmsg): log.warning("message not sent: \(errcode.map { "\($0) " } ?? "")\(errmsg)")
        }
        let id = message.id, holder = holder, at = Int64(now())
        do {
            if !(try await lane.run { try $0.recordOutboundOutcome(id: id, holder: holder, outcome: outcome, now: at) }) {
                log.warning("the outcome could not be recorded: the claim was lost")
            }
        } catch {
            log.error("cannot record the outcome: \(error)")
        }
    }

    /// The bot's session once it is subscribed, waiting up to `outboundConnectWait` for a
    /// connection that is coming up.
    private func subscribedSession(_ botID: String) async -> BotSession? {
        let start = now()
        while true {
            if let session = await keeper.session(for: botID), await session.isSubscribed { return session }
            guard now() - start < settings.outboundConnectWait else { return nil }
            do { try await clock.sleep(for: .milliseconds(100)) } catch { return nil }
        }
    }
}
