import Logging

/// One bot's long connection (docs/wecom-protocol.md §8.1): connect, subscribe with the BotID and
/// secret, `ping` every interval, reconnect with back-off when the connection dies, and stop for
/// good on `disconnected_event`. Inbound callbacks go to the handler; `send` writes requests and
/// returns their acks.
///
/// `run()` drives it until the bot is taken over or the task running it is cancelled (the
/// owner's way to stop it, e.g. when its lease is lost). All waiting goes through the injected
/// clock, so that tests move time by hand.
public actor BotSession {
    public nonisolated let botID: String
    private let credentials: BotCredentials
    private let settings: SessionSettings
    private let connector: any WebSocketConnector
    private let handler: any SessionHandler
    private let logger: Logger
    private let clock: any Clock<Duration>
    private let random: @Sendable () -> Double
    private let requestIDs: RequestIDGenerator
    private let metrics: any SessionMetrics

    private var backoff: ReconnectBackoff
    /// The subscribed connection `send` writes to; nil while down.
    private var live: (any WebSocketConnection)?
    private var pending = PendingAcks<AsyncThrowingStream<Ack, any Error>.Continuation>()
    private var turns = RequestTurns<CheckedContinuation<Void, Never>>()

    /// How one connection ended.
    private enum Outcome: Sendable {
        case down(LongConnectionError)
        case takenOver
        case stopped
    }

    /// - Parameters:
    ///   - random: numbers in 0..<1 for the back-off's jitter.
    public init(credentials: BotCredentials, settings: SessionSettings, connector: any WebSocketConnector,
                handler: any SessionHandler, logger: Logger, clock: any Clock<Duration> = ContinuousClock(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                requestIDs: RequestIDGenerator = RequestIDGenerator(), metrics: any SessionMetrics = NoSessionMetrics()) {
        botID = credentials.botID
        self.credentials = credentials
        self.settings = settings
        self.connector = connector
        self.handler = handler
        self.logger = logger
        self.clock = clock
        self.random = random
        self.requestIDs = requestIDs
        self.metrics = metrics
        backoff = settings.backoff
    }

    /// Connected and subscribed now.
    public var isSubscribed: Bool { live != nil }

    /// Connects and keeps connecting until the bot is taken over or the calling task is cancelled.
    public func run() async -> SessionEnd {
        while true {
            switch await connectAndServe() {
            case .takenOver:
                logger.warning("bot \(botID): another client subscribed as this bot (disconnected_event); connection closed, not reconnecting")
                await handler.session(self, changed: .takenOver)
                return .takenOver
            case .stopped:
                return .stopped
            case let .down(error):
                if Task.isCancelled { return .stopped }
                let wait = backoff.next(unit: random())
                let line: Logger.Message = "bot \(botID): \(error); reconnecting in \(Self.seconds(wait)) s"
                if case .subscribeRefused = error { logger.error(line) } else { logger.warning(line) }
                await handler.session(self, changed: .down(error, retryIn: wait))
                do {
                    try await clock.sleep(for: wait)
                } catch {
                    return .stopped
                }
                metrics.reconnecting()
            }
        }
    }

    /// Sends `frame` and returns WeCom's ack (whatever its errcode). Frames with one `req_id` go out
    /// one at a time, each after the previous one's ack, in call order; others interleave.
    public func send(_ frame: Frame) async throws -> Ack {
        if !turns.take(frame.reqID) {
            await withCheckedContinuation { turns.wait(frame.reqID, $0) }
        }
        defer { turns.release(frame.reqID)?.resume() }
        try Task.checkCancellation()
        guard let connection = live else { throw LongConnectionError.notConnected }
        return try await exchange(frame, on: connection)
    }

    /// Frames waiting behind the one on the wire for `reqID` (tests).
    func waitingFrames(on reqID: String) -> Int { turns.waiting(on: reqID) }

    // MARK: - One connection

    private func connectAndServe() async -> Outcome {
        let connection: any WebSocketConnection
        do {
            connection = try await open()
        } catch {
            return outcome(of: error) { .connectFailed($0) }
        }
        logger.debug("bot \(botID): connected to \(settings.url)")
        // Callbacks go to the handler from a task of their own, so that a slow handler, or one
        // that awaits a `send`, never holds up the acks behind them; and only once the
        // subscription is through, so that the handler's sends find the connection.
        let (deliveries, deliver) = AsyncStream<Frame>.makeStream()
        let (subscribed, announce) = AsyncStream<Void>.makeStream()
        async let delivered: Void = deliverAll(deliveries, once: subscribed)
        let end = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { await self.read(connection, into: deliver) }
            group.addTask { await self.subscribeAndBeat(connection, announce: announce) }
            let first = await group.next() ?? .stopped
            group.cancelAll()
            return first
        }
        if live != nil { metrics.subscription(up: false) }
        live = nil
        for slot in pending.removeAll() { slot.finish(throwing: LongConnectionError.connectionLost) }
        announce.finish()
        deliver.finish()
        await connection.close()
        await delivered
        return end
    }

    /// Opens a connection within `openTimeout`; one that opens as the attempt is abandoned is closed.
    private func open() async throws -> any WebSocketConnection {
        let connector = connector, url = settings.url, clock = clock, timeout = settings.openTimeout
        return try await withThrowingTaskGroup(of: (any WebSocketConnection)?.self) { group in
            group.addTask { try await connector.open(url: url) }
            group.addTask {
                try await clock.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            while let late = try? await group.next() {
                if let late { await late.close() }
            }
            throw LongConnectionError.openTimedOut
        }
    }

    private nonisolated func read(_ connection: any WebSocketConnection,
                                  into deliver: AsyncStream<Frame>.Continuation) async -> Outcome {
        do {
            for try await message in connection.messages {
                if let end = await route(message, into: deliver) { return end }
            }
            return Task.isCancelled ? .stopped : .down(.closedByServer)
        } catch {
            return Task.isCancelled ? .stopped : .down(.connectionFailed(String(describing: error)))
        }
    }

    private func route(_ message: [UInt8], into deliver: AsyncStream<Frame>.Continuation) -> Outcome? {
        let inbound: InboundFrame
        do {
            inbound = try FrameCodec.decode(message)
        } catch {
            logger.warning("bot \(botID): ignored a message that is not a frame (\(error), \(message.count) bytes)")
            return nil
        }
        switch inbound {
        case let .ack(ack):
            if let slot = pending.resolve(ack.reqID) {
                slot.yield(ack)
                slot.finish()
            } else {
                logger.debug("bot \(botID): \(ack) matches no waiting request")
            }
        case let .command(frame):
            logger.trace("bot \(botID): received \(frame)")
            metrics.received(frame.command)
            if frame.isDisconnectedEvent { return .takenOver }
            if frame.command == .messageCallback || frame.command == .eventCallback {
                deliver.yield(frame)
            } else {
                logger.debug("bot \(botID): ignored \(frame)")
            }
        }
        return nil
    }

    /// Hands `frames` to the handler once `subscribed` yields; drops them if it ends instead.
    private nonisolated func deliverAll(_ frames: AsyncStream<Frame>, once subscribed: AsyncStream<Void>) async {
        var signal = subscribed.makeAsyncIterator()
        guard await signal.next() != nil else { return }
        for await frame in frames {
            await handler.session(self, received: frame)
        }
    }

    /// Subscribes once (WeCom rate-limits subscriptions), then sends heartbeats until too many
    /// go unacknowledged.
    private func subscribeAndBeat(_ connection: any WebSocketConnection,
                                  announce: AsyncStream<Void>.Continuation) async -> Outcome {
        let ack: Ack
        do {
            ack = try await exchange(.subscribe(reqID: requestIDs.next(.subscribe), credentials: credentials), on: connection)
        } catch {
            return outcome(of: error) { .connectionFailed($0) }
        }
        guard ack.isSuccess else {
            return .down(.subscribeRefused(botID: botID, errcode: ack.errcode, errmsg: ack.errmsg))
        }
        live = connection
        metrics.subscription(up: true)
        announce.yield()
        announce.finish()
        backoff.reset()
        logger.info("bot \(botID): subscribed at \(settings.url)")
        await handler.session(self, changed: .subscribed)
        var missed = 0
        while true {
            do {
                try await clock.sleep(for: settings.pingInterval)
            } catch {
                return .stopped
            }
            do {
                let ack = try await exchange(.ping(reqID: requestIDs.next(.ping)), on: connection)
                if !ack.isSuccess { logger.notice("bot \(botID): heartbeat answered with \(ack)") }
                missed = 0
            } catch LongConnectionError.ackTimeout(_, _) {
                missed += 1
                logger.notice("bot \(botID): heartbeat \(missed) of \(settings.allowedMissedPings) without an ack")
                if missed >= settings.allowedMissedPings { return .down(.heartbeatLost(missed: missed)) }
            } catch {
                return outcome(of: error) { .connectionFailed($0) }
            }
        }
    }

    /// Writes `frame` and waits up to `ackTimeout` for the ack with its `req_id`.
    private func exchange(_ frame: Frame, on connection: any WebSocketConnection) async throws -> Ack {
        let (slot, continuation) = AsyncThrowingStream<Ack, any Error>.makeStream()
        guard let ticket = pending.register(frame.reqID, continuation) else {
            throw LongConnectionError.duplicateRequest(reqID: frame.reqID)
        }
        do {
            try await connection.send(FrameCodec.encode(frame))
        } catch {
            _ = pending.withdraw(frame.reqID, ticket: ticket)
            throw error is CancellationError ? error : LongConnectionError.sendFailed(String(describing: error))
        }
        logger.trace("bot \(botID): sent \(frame)")
        metrics.sent(frame.command)
        let clock = clock, timeout = settings.ackTimeout
        let ack = try await withThrowingTaskGroup(of: Ack?.self) { group in
            group.addTask {
                for try await ack in slot { return ack }
                throw LongConnectionError.connectionLost
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let ack else {
            _ = pending.withdraw(frame.reqID, ticket: ticket)
            metrics.ackTimedOut(frame.command)
            throw LongConnectionError.ackTimeout(command: frame.command, reqID: frame.reqID)
        }
        metrics.acked(frame.command, errcode: ack.errcode)
        return ack
    }

    /// `stopped` when the session is being stopped, otherwise the error (a foreign one wrapped).
    private func outcome(of error: any Error, wrapping wrap: (String) -> LongConnectionError) -> Outcome {
        if Task.isCancelled || error is CancellationError { return .stopped }
        return .down(error as? LongConnectionError ?? wrap(String(describing: error)))
    }

    /// A duration as seconds with one decimal, for log lines.
    static func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        let tenths = (Double(whole) + Double(atto) / 1e18) * 10
        let rounded = Int64(tenths.rounded())
        return "\(rounded / 10).\(rounded % 10)"
    }
}
