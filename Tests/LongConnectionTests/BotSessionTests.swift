import JSONCore
import Testing
import WeComWSStandIn
@testable import LongConnection

/// The session's state machine on the in-memory transport and the manual clock: no sockets, no
/// real time.
@Suite struct BotSessionTests {
    @Test func subscribesWithTheCredentialsThenPingsEveryInterval() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let connection = try await f.subscribe()
            let subscribe = connection.sent.all[0]
            #expect(subscribe.body?["bot_id"]?.stringValue == "aibTEST")
            #expect(subscribe.body?["secret"]?.stringValue == "ws-Secret-42")
            #expect(await f.session.isSubscribed)

            try await f.advance(to: 30)
            let first = try #require(await connection.frame(.ping))
            #expect(first.body == nil)
            connection.ack(first.reqID)
            try await f.advance(to: 60)
            let second = try #require(await connection.frame(.ping, number: 2))
            connection.ack(second.reqID)
            #expect(Set([subscribe.reqID, first.reqID, second.reqID]).count == 3)
            try #require(await f.clock.waitForSleeper(at: .seconds(90)))
            #expect(f.connector.attempts.count == 1 && !connection.isClosed)

            #expect(await f.stop() == .stopped)
            #expect(connection.isClosed)
        }
    }

    /// 853000: one error line naming the bot (never the secret), the connection closed, and
    /// another try after the back-off.
    @Test func aRefusedSecretIsRetriedWithBackoff() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let first = try await f.subscribe(errcode: 853000, errmsg: "invalid secret")
            let refused = LongConnectionError.subscribeRefused(botID: "aibTEST", errcode: 853000, errmsg: "invalid secret")
            try #require(await f.recorded.events.wait { $0 == .down(refused, retryIn: .seconds(1)) })
            #expect(await first.closes.wait())
            #expect("\(refused)" == "bot aibTEST: WeCom refused the BotID or long-connection secret (853000 invalid secret)")
            let errors = f.log.lines.filter { $0.hasPrefix("error ") }
            #expect(errors.count == 1 && errors[0].contains("aibTEST") && errors[0].contains("853000"))

            try await f.advance(to: 1)
            try await f.subscribe(2)
            #expect(!f.log.lines.contains { $0.contains("ws-Secret-42") })
            #expect(await f.stop() == .stopped)
        }
    }

    /// Two heartbeats in a row without an ack; one missed between acked ones is forgiven.
    @Test func twoMissedPingAcksInARowReconnect() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let connection = try await f.subscribe()
            try await f.advance(to: 30)
            _ = try #require(await connection.frame(.ping))
            try await f.advance(to: 35)  // missed 1
            try await f.advance(to: 65)
            let acked = try #require(await connection.frame(.ping, number: 2))
            connection.ack(acked.reqID)
            try await f.advance(to: 95)
            _ = try #require(await connection.frame(.ping, number: 3))
            try await f.advance(to: 100)  // missed 1 again
            try await f.advance(to: 130)
            _ = try #require(await connection.frame(.ping, number: 4))
            #expect(f.connector.attempts.count == 1 && !connection.isClosed)
            try await f.advance(to: 135)  // missed 2 in a row
            try #require(await f.recorded.events.wait { $0 == .down(.heartbeatLost(missed: 2), retryIn: .seconds(1)) })
            #expect(await connection.closes.wait())
            try await f.advance(to: 136)
            try await f.subscribe(2)
            #expect(await f.stop() == .stopped)
        }
    }

    /// 1, 2, 4, 8, 16, 30, 30 s between failed attempts; a subscription resets it to 1 s.
    @Test func backoffDoublesToThirtySecondsAndResetsOnSubscription() async throws {
        try await onTestThreads {
            let f = SessionFixture(failing: Array(repeating: .connectFailed("connection refused"), count: 7))
            var now = 0.0
            for (attempt, wait) in [1.0, 2, 4, 8, 16, 30, 30].enumerated() {
                try #require(await f.recorded.events.wait(count: attempt + 1))
                #expect(f.recorded.events.all[attempt] == .down(.connectFailed("connection refused"), retryIn: .seconds(wait)))
                now += wait
                try await f.advance(to: now)
            }
            let connection = try await f.subscribe()
            connection.drop()
            try #require(await f.recorded.events.wait { $0 == .down(.closedByServer, retryIn: .seconds(1)) })
            #expect(await f.stop() == .stopped)
        }
    }

    @Test func jitterShortensTheWait() async throws {
        try await onTestThreads {
            let f = SessionFixture(random: { 0.5 }, failing: [.connectFailed("refused")])
            try #require(await f.recorded.events.wait())
            #expect(f.recorded.events.all[0] == .down(.connectFailed("refused"), retryIn: .milliseconds(900)))
            #expect(await f.stop() == .stopped)
        }
    }

    /// A server that accepts the socket but never completes the handshake.
    @Test func anOpenThatHangsIsAbandoned() async throws {
        try await onTestThreads {
            let f = SessionFixture(failing: [nil])
            try await f.advance(to: 15)
            try #require(await f.recorded.events.wait { $0 == .down(.openTimedOut, retryIn: .seconds(1)) })
            try await f.advance(to: 16)
            try await f.subscribe()
            #expect(await f.stop() == .stopped)
        }
    }

    /// No ack within 5 s: the sender gets `ackTimeout`; a late ack is ignored; the req_id is free again.
    @Test func anAckThatNeverComesTimesOut() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let connection = try await f.subscribe()
            let sending = testThreadsTask { try await f.session.send(.markdownReply(reqID: "cb-1", content: "hi")) }
            _ = try #require(await connection.frame(.respondMessage))
            try await f.advance(to: 5)
            await #expect(throws: LongConnectionError.ackTimeout(command: .respondMessage, reqID: "cb-1")) {
                try await sending.value
            }
            connection.ack("cb-1")
            let again = testThreadsTask { try await f.session.send(.markdownReply(reqID: "cb-1", content: "again")) }
            _ = try #require(await connection.frame(.respondMessage, number: 2))
            connection.ack("cb-1", errcode: 846606, errmsg: "already responded")
            #expect(try await again.value == Ack(reqID: "cb-1", errcode: 846606, errmsg: "already responded"))
            #expect(f.log.contains("matches no waiting request"))
            #expect(f.connector.attempts.count == 1)
            #expect(await f.stop() == .stopped)
        }
    }

    /// Frames of one req_id wait for the previous one's ack, in call order; another req_id goes
    /// out meanwhile.
    @Test func framesOfOneRequestIDGoOutOneAtATime() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let connection = try await f.subscribe()
            func frame(_ reqID: String, _ content: String) -> Frame {
                .streamReply(reqID: reqID, streamID: "S-\(reqID)", content: content, finish: false)
            }
            let a = testThreadsTask { try await f.session.send(frame("R", "a")) }
            _ = try #require(await connection.frame(.respondMessage))
            let b = testThreadsTask { try await f.session.send(frame("R", "ab")) }
            #expect(await eventually { await f.session.waitingFrames(on: "R") == 1 })
            let c = testThreadsTask { try await f.session.send(frame("R", "abc")) }
            #expect(await eventually { await f.session.waitingFrames(on: "R") == 2 })
            let d = testThreadsTask { try await f.session.send(frame("S", "d")) }
            _ = try #require(await connection.frame(.respondMessage, number: 2))
            connection.ack("S")
            #expect(try await d.value.isSuccess)

            func contents() -> [String] {
                connection.sent.all.filter { $0.command == .respondMessage }.compactMap { $0.body?["stream"]?["content"]?.stringValue }
            }
            #expect(contents() == ["a", "d"])
            connection.ack("R")
            #expect(try await a.value.isSuccess)
            _ = try #require(await connection.frame(.respondMessage, number: 3))
            #expect(contents() == ["a", "d", "ab"])
            connection.ack("R", errcode: 846607, errmsg: "rate limited")  // an error ack ends the turn too
            #expect(try await b.value.errcode == 846607)
            _ = try #require(await connection.frame(.respondMessage, number: 4))
            connection.ack("R")
            #expect(try await c.value.isSuccess)
            #expect(contents() == ["a", "d", "ab", "abc"])
            #expect(await f.session.waitingFrames(on: "R") == 0)
            #expect(await f.stop() == .stopped)
        }
    }

    /// The server goes away: the request on the wire fails, sends fail fast while down, and after
    /// the back-off the session subscribes again and frames flow.
    @Test func aDroppedConnectionReconnectsAndCarriesOn() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let first = try await f.subscribe()
            first.push(.text("one", reqID: "cb-1"))
            try #require(await f.recorded.frames.wait())
            let inFlight = testThreadsTask { try await f.session.send(.markdownReply(reqID: "cb-1", content: "answer")) }
            _ = try #require(await first.frame(.respondMessage))
            first.drop()
            await #expect(throws: LongConnectionError.connectionLost) { try await inFlight.value }
            try #require(await f.recorded.events.wait { $0 == .down(.closedByServer, retryIn: .seconds(1)) })
            await #expect(throws: LongConnectionError.notConnected) {
                try await f.session.send(.markdownReply(reqID: "cb-1", content: "answer"))
            }

            try await f.advance(to: 1)
            let second = try await f.subscribe(2)
            let subscriptions = [first, second].compactMap { $0.sent.all.first }
            #expect(subscriptions.map(\.command) == [.subscribe, .subscribe] && subscriptions[0].reqID != subscriptions[1].reqID)
            second.push(.text("two", reqID: "cb-2"))
            try #require(await f.recorded.frames.wait(count: 2))
            #expect(f.recorded.frames.all.map(\.reqID) == ["cb-1", "cb-2"])
            let reply = testThreadsTask { try await f.session.send(.markdownReply(reqID: "cb-2", content: "answer")) }
            _ = try #require(await second.frame(.respondMessage))
            second.ack("cb-2")
            #expect(try await reply.value.isSuccess)
            #expect(await f.stop() == .stopped)
        }
    }

    /// `disconnected_event`: closed, reported once, and `run` ends without another attempt.
    @Test func takenOverEndsTheSessionWithoutReconnecting() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let connection = try await f.subscribe()
            connection.push(Frame(command: .eventCallback, reqID: "ev-1", body: [
                "msgid": "m", "aibotid": "aibTEST", "msgtype": "event", "event": ["eventtype": "disconnected_event"],
            ]))
            #expect(await f.run.value == .takenOver)
            #expect(connection.isClosed)
            #expect(f.recorded.events.all == [.subscribed, .takenOver])
            #expect(f.recorded.frames.count == 0)
            #expect(f.connector.attempts.count == 1)
            #expect(!(await f.session.isSubscribed))
            let warnings = f.log.lines.filter { $0.hasPrefix("warning ") }
            #expect(warnings.count == 1 && warnings[0].contains("aibTEST") && warnings[0].contains("not reconnecting"))
        }
    }

    /// Callbacks reach the handler in order; a message that is no frame, an ack nobody waits for
    /// and an unknown command are logged and skipped.
    @Test func callbacksReachTheHandlerInOrder() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let connection = try await f.subscribe()
            connection.push(.text("one", reqID: "cb-1"))
            connection.pushRaw("not json")
            connection.ack("nobody")
            connection.push(Frame(command: FrameCommand(rawValue: "aibot_future_cmd"), reqID: "x"))
            connection.push(Frame(command: .eventCallback, reqID: "ev-1", body: ["msgtype": "event", "event": ["eventtype": "enter_chat"]]))
            connection.push(.text("two", reqID: "cb-2"))
            try #require(await f.recorded.frames.wait(count: 3))
            #expect(f.recorded.frames.all.map(\.reqID) == ["cb-1", "ev-1", "cb-2"])
            #expect(f.log.contains("ignored a message that is not a frame"))
            #expect(await f.session.isSubscribed && f.connector.attempts.count == 1)
            #expect(await f.stop() == .stopped)
        }
    }

    /// A handler may await a send (the welcome for `enter_chat`) while the session reads its ack.
    @Test func aHandlerCanAwaitASend() async throws {
        try await onTestThreads {
            let welcomer = Welcomer()
            let f = SessionFixture(handler: welcomer)
            let connection = try await f.subscribe()
            connection.push(Frame(command: .eventCallback, reqID: "ev-1", body: ["msgtype": "event", "event": ["eventtype": "enter_chat"]]))
            let welcome = try #require(await connection.frame(.respondWelcome))
            #expect(welcome.reqID == "ev-1")
            connection.ack("ev-1")
            #expect(await welcomer.acks.wait())
            #expect(welcomer.acks.all == [Ack(reqID: "ev-1")])
            #expect(await f.stop() == .stopped)
        }
    }

    @Test func stoppingClosesTheConnection() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            let connection = try await f.subscribe()
            #expect(await f.stop() == .stopped)
            #expect(connection.isClosed)
            #expect(!(await f.session.isSubscribed))
            await #expect(throws: LongConnectionError.notConnected) {
                try await f.session.send(.ping(reqID: "p"))
            }
        }
    }

    /// Everything the session logs at trace over subscribing, pinging, refusals and sends: the
    /// secret in none of it.
    @Test func noSecretInAnyLogLine() async throws {
        try await onTestThreads {
            let f = SessionFixture()
            try await f.subscribe(errcode: 853000, errmsg: "invalid secret")
            try await f.advance(to: 1)
            let connection = try await f.subscribe(2)
            try await f.advance(to: 31)
            connection.ack(try #require(await connection.frame(.ping)).reqID)
            let sending = testThreadsTask { try await f.session.send(.markdownReply(reqID: "cb", content: "x")) }
            connection.ack(try #require(await connection.frame(.respondMessage)).reqID)
            _ = try await sending.value
            connection.drop()
            try #require(await f.recorded.events.wait { $0 == .down(.closedByServer, retryIn: .seconds(1)) })
            #expect(await f.stop() == .stopped)
            #expect(f.log.lines.count > 5)
            #expect(f.log.lines.contains { $0.hasPrefix("trace ") && $0.contains("aibot_subscribe") })
            #expect(!f.log.lines.contains { $0.contains("ws-Secret-42") })
        }
    }
}

/// Answers `enter_chat` with a welcome and records the ack, from inside `received`.
private final class Welcomer: SessionHandler {
    let acks = AwaitableLog<Ack>()

    func session(_ session: BotSession, received frame: Frame) async {
        guard let ack = try? await session.send(.welcomeText(reqID: frame.reqID, content: "你好")) else { return }
        acks.append(ack)
    }

    func session(_ session: BotSession, changed event: SessionEvent) async {}
}
