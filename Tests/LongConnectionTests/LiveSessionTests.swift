import JSONCore
import LogRecorder
import Testing
import WeComWSStandIn
@testable import LongConnection

@Suite struct LiveSessionTests {
    @Test func subscribesAndKeepsTheHeartbeat() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            let subscribe = try #require(live.received(.subscribe).first)
            #expect(subscribe.frame.body?["bot_id"]?.stringValue == "standin-bot")
            #expect(await live.waitFor(.ping, count: 3))
            #expect(live.received(.ping).allSatisfy { $0.connection == 1 })
            #expect(live.standIn.connectionEvents.all == [.opened(1)])
            #expect(live.handler.events.all == [.subscribed])
            #expect(try await live.stop() == .stopped)
        }
    }

    @Test func aWrongSecretIsRefusedAndRetried() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn(), secret: "wrong-Secret-7")
            let refused = LongConnectionError.subscribeRefused(botID: "standin-bot", errcode: 853000,
                                                               errmsg: WeComWSStandIn.invalidCredentialsMessage)
            #expect(await live.handler.events.wait(count: 2) {
                if case .down(refused, _) = $0 { return true }
                return false
            })
            #expect(await live.waitFor(.subscribe, count: 2))
            #expect(live.received(.subscribe).map(\.connection).prefix(2) == [1, 2])
            #expect(live.received(.ping).isEmpty)
            #expect(!(await live.session.isSubscribed))
            #expect(try await live.stop() == .stopped)
            let errors = live.log.lines.filter { $0.hasPrefix("error ") }
            #expect(!errors.isEmpty && errors.allSatisfy { $0.contains("standin-bot") && $0.contains("853000") })
            #expect(!live.log.lines.contains { $0.contains("wrong-Secret-7") })
        }
    }

    @Test func missedPingAcksReconnect() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn(), ackTimeout: .milliseconds(200))
            #expect(await live.waitForSubscriptions(1))
            live.standIn.setAckPings(false)
            #expect(await live.handler.events.wait {
                if case .down(.heartbeatLost(missed: 2), _) = $0 { return true }
                return false
            })
            let subscriptions = live.handler.events.all.filter { $0 == .subscribed }.count
            live.standIn.setAckPings(true)
            #expect(await live.waitForSubscriptions(subscriptions + 1))
            // The session lives on the newest connection; every older one was closed.
            let newest = try #require(live.received(.subscribe).last?.connection)
            #expect(newest >= 2)
            #expect(await live.waitFor(.ping, onConnection: newest))
            #expect(await live.standIn.connectionEvents.wait(count: newest - 1) {
                if case let .closed(connection) = $0 { return connection < newest }
                return false
            })
            #expect(try await live.stop() == .stopped)
        }
    }

    @Test func aDroppedConnectionReconnectsAndFramesFlow() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            live.standIn.dropConnections()
            #expect(await live.waitForSubscriptions(2))
            #expect(await live.waitFor(.subscribe, onConnection: 2))
            let down = live.handler.events.all.filter { $0 != .subscribed }
            #expect(down.count == 1)

            let callback = try await live.standIn.pushText("你好")
            #expect(await live.handler.frames.wait())
            #expect(live.handler.frames.all == [callback])
            let ack = try await live.session.send(.streamReply(reqID: callback.reqID, streamID: "S1", content: "answer", finish: true))
            #expect(ack.isSuccess)
            let reply = try #require(live.received(.respondMessage).first)
            #expect(reply.connection == 2 && reply.frame.reqID == callback.reqID)
            #expect(reply.frame.body?["stream"]?["content"]?.stringValue == "answer")
            #expect(try await live.stop() == .stopped)
        }
    }

    /// The stand-in holds the acks back: the second frame of req_id R goes out only after the
    /// first one's ack, while a frame of another req_id passes.
    @Test func framesOfOneRequestIDWaitForTheirAck() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            live.standIn.holdAcks(for: .respondMessage)
            let first = testThreadsTask { try await live.session.send(.streamReply(reqID: "R", streamID: "S", content: "a", finish: false)) }
            #expect(await live.waitFor(.respondMessage))
            let second = testThreadsTask { try await live.session.send(.streamReply(reqID: "R", streamID: "S", content: "ab", finish: true)) }
            #expect(await eventually { await live.session.waitingFrames(on: "R") == 1 })
            let other = testThreadsTask { try await live.session.send(.markdownReply(reqID: "T", content: "other")) }
            #expect(await live.waitFor(.respondMessage, count: 2))
            #expect(live.received(.respondMessage).map(\.frame.reqID) == ["R", "T"])

            #expect(live.standIn.releaseHeldAck())  // R's first
            #expect(try await first.value.isSuccess)
            #expect(await live.waitFor(.respondMessage, count: 3))
            #expect(live.received(.respondMessage).map(\.frame.reqID) == ["R", "T", "R"])
            #expect(live.standIn.releaseHeldAck() && live.standIn.releaseHeldAck())
            #expect(try await other.value.isSuccess)
            #expect(try await second.value.isSuccess)
            #expect(try await live.stop() == .stopped)
        }
    }

    @Test func errorCodesAndUploadAcksReachTheSender() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            live.standIn.answer(.respondMessage, errcode: 846608, errmsg: "stream expired")
            let expired = try await live.session.send(.streamReply(reqID: "R", streamID: "S", content: "late", finish: false))
            #expect(expired == Ack(reqID: "R", errcode: 846608, errmsg: "stream expired"))
            let ids = RequestIDGenerator()
            let started = try await live.session.send(.uploadMediaInit(reqID: ids.next(.uploadMediaInit), type: .image, filename: "a.png",
                                                                       totalSize: 3, totalChunks: 1, md5: "x"))
            let uploadID = try #require(started.body?["upload_id"]?.stringValue)
            _ = try await live.session.send(.uploadMediaChunk(reqID: ids.next(.uploadMediaChunk), uploadID: uploadID, chunkIndex: 0,
                                                              base64Data: "AAEC"))
            let finished = try await live.session.send(.uploadMediaFinish(reqID: ids.next(.uploadMediaFinish), uploadID: uploadID))
            #expect(finished.body?["media_id"]?.stringValue?.isEmpty == false)
            #expect(try await live.stop() == .stopped)
        }
    }

    @Test func disconnectedEventClosesWithoutReconnecting() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            try await live.standIn.pushDisconnectedEvent()
            #expect(await live.run.value == .takenOver)
            #expect(await live.standIn.connectionEvents.wait { $0 == .closed(1) })
            #expect(live.standIn.connectionEvents.all == [.opened(1), .closed(1)])
            #expect(live.received(.subscribe).count == 1)
            #expect(live.handler.events.all == [.subscribed, .takenOver])
            #expect(try await live.stop() == .takenOver)
        }
    }

    /// A second client subscribing as the same bot takes it over: the first hears
    /// `disconnected_event` from the server and ends; the second stays.
    @Test func aSecondSubscriptionTakesTheBotOver() async throws {
        try await onTestThreads {
            let standIn = try WeComWSStandIn()
            let first = try LiveSession(standIn)
            #expect(await first.waitForSubscriptions(1))
            let second = try LiveSession(standIn)
            #expect(await second.waitForSubscriptions(1))
            #expect(await first.run.value == .takenOver)
            #expect(await standIn.connectionEvents.wait { $0 == .closed(1) })
            #expect(await second.session.isSubscribed)
            #expect(second.handler.events.all == [.subscribed])
            #expect(try await second.stop() == .stopped)
        }
    }

    /// TLS against a CA made for this test: trusted through the extra CA file, and refused
    /// when the server's certificate comes from a CA the client does not know.
    @Test func tlsVerifiesTheServerAgainstTheExtraCA() async throws {
        try await onTestThreads {
            let ca = try TestCertificateAuthority()
            defer { ca.remove() }
            let live = try LiveSession(WeComWSStandIn(tls: ca.issueServerCertificate()), caFile: ca.certificateFile)
            #expect(live.standIn.url.hasPrefix("wss://localhost:"))
            #expect(await live.waitForSubscriptions(1))
            #expect(await live.waitFor(.ping))
            #expect(try await live.stop() == .stopped)
        }
    }

    @Test(arguments: [true, false])
    func tlsRefusesAServerCertificateFromAnUnknownCA(trustingAnotherCA: Bool) async throws {
        try await onTestThreads {
            let trusted = try TestCertificateAuthority(), unknown = try TestCertificateAuthority(name: "unknown CA")
            defer {
                trusted.remove()
                unknown.remove()
            }
            let live = try LiveSession(WeComWSStandIn(tls: unknown.issueServerCertificate()),
                                       caFile: trustingAnotherCA ? trusted.certificateFile : nil)
            #expect(await live.handler.events.wait(count: 2))
            for event in live.handler.events.all.prefix(2) {
                guard case let .down(.connectFailed(reason), _) = event else {
                    Issue.record("expected a refused connection, got \(event)")
                    continue
                }
                #expect(reason.contains("CERTIFICATE_VERIFY_FAILED"), "\(reason)")
            }
            #expect(live.standIn.received.count == 0)
            #expect(try await live.stop() == .stopped)
        }
    }

    @Test func anUnreadableCAFileIsRefused() throws {
        let path = "/nonexistent/ca.pem"
        #expect {
            try WebSocketClientConnector(extraCAFile: path, logger: RecordedLog().logger)
        } throws: { error in
            guard case let .unreadableCAFile(named, _)? = error as? LongConnectionError else { return false }
            return named == path
        }
    }

    /// Every line the session and the WebSocket library log at trace level, over a refused and a
    /// right secret, heartbeats, a reply and a dropped connection: the secret in none of them.
    @Test func noSecretInAnyLogLineAtTrace() async throws {
        try await onTestThreads {
            let standIn = try WeComWSStandIn(bots: ["standin-bot": "standin-secret-Xy9"])
            let refused = try LiveSession(standIn, secret: "wrong-Secret-7")
            #expect(await refused.handler.events.wait())
            refused.run.cancel()
            _ = await refused.run.value
            let live = try LiveSession(standIn, secret: "standin-secret-Xy9")
            #expect(await live.waitForSubscriptions(1))
            #expect(await live.waitFor(.ping, count: 2))
            _ = try await live.session.send(.markdownReply(reqID: "R", content: "x"))
            standIn.dropConnections()
            #expect(await live.waitForSubscriptions(2))
            #expect(try await live.stop() == .stopped)
            let lines = refused.log.lines + live.log.lines
            #expect(lines.contains { $0.hasPrefix("trace ") && $0.contains("aibot_subscribe") })
            #expect(lines.contains { $0.hasPrefix("debug ") && $0.contains("WebSocket") })
            #expect(!lines.contains { $0.contains("standin-secret-Xy9") || $0.contains("wrong-Secret-7") })
        }
    }
}
