import Foundation
import LongConnection
import StoreTestSupport
import Testing
import WeComWSStandIn

/// Issue 18: exactly one connection per bot across `wecom-ws` processes, held by a lease in the
/// store; the subscription's failures and a takeover by a client outside the deployment.
@Suite(.serialized) struct LongConnectionHolderTests {
    static func isSubscribe(_ r: WeComWSStandIn.Received) -> Bool { r.frame.command == .subscribe }

    @Test(arguments: Backend.allCases) func oneConnectionPerBotAndAStandbyTakesOverWhenTheHolderIsKilled(_ backend: Backend) async throws {
        let s = try LongConnectionStack(backend: backend)
        defer { s.stop() }
        let first = try s.startHolder()
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isSubscribe))
        try s.waitForSQL("SELECT holder LIKE '%:\(first.pid):%' AND connected = 1 FROM ws_connections WHERE botid = 'standin-bot'",
                         toBe: backend == .sqlite ? "1" : "t")
        let second = try s.startHolder()
        try waitUntil(timeout: 30, "the second process stands by") { second.log.contains("standing by") }
        #expect(s.wecom.openConnections == 1)
        #expect(s.wecom.received.all.filter(Self.isSubscribe).count == 1)

        first.stop(signal: SIGKILL)
        #expect(await s.wecom.received.wait(count: 2, timeout: .seconds(30), where: Self.isSubscribe))
        try s.waitForSQL("SELECT holder LIKE '%:\(second.pid):%' FROM ws_connections WHERE botid = 'standin-bot'",
                         toBe: backend == .sqlite ? "1" : "t")
        #expect(second.log.contains("took the connection lease"))
        try waitUntil(timeout: 30, "the killed holder's socket closed") { s.wecom.openConnections == 1 }
    }

    @Test func aRefusedSecretIsLoggedByBotNeverQuotedAndRetriedWhileOtherBotsRun() async throws {
        let s = try LongConnectionStack(bots: [LongConnectionStack.botID: LongConnectionStack.secret, "bot-b": "right-secret-b"],
                                        environment: ["WECOM_LOG_LEVEL": "trace"])
        defer { s.stop() }
        let added = try s.wecomctl.run("bots", "add", "bot-b", "--ws-secret", "wrong-secret-value-42")
        #expect(added.status == 0, "\(added.all)")
        let holder = try s.startHolder()
        let refusedB: @Sendable (WeComWSStandIn.Received) -> Bool = {
            $0.frame.command == .subscribe && $0.frame.body?["bot_id"]?.stringValue == "bot-b"
        }
        #expect(await s.wecom.received.wait(count: 2, timeout: .seconds(30), where: refusedB))
        try s.waitForSQL("SELECT last_error LIKE '%853000%' FROM ws_connections WHERE botid = 'bot-b'", toBe: "1")
        #expect(try s.sql("SELECT connected FROM ws_connections WHERE botid = 'bot-b'") == "0")
        // The other bot is subscribed and serves meanwhile.
        try s.waitForSQL("SELECT connected FROM ws_connections WHERE botid = 'standin-bot'", toBe: "1")
        let refusals = holder.log.split(separator: "\n").filter { $0.contains("853000") }
        #expect(!refusals.isEmpty)
        #expect(refusals.allSatisfy { $0.contains("bot-b") })
        #expect(!holder.log.contains("wrong-secret-value-42"))
        let status = try s.wecomctl.run("status")
        #expect(status.stdout.contains("853000") && !status.all.contains("wrong-secret-value-42"), "\(status.all)")
        #expect(holder.isRunning)
    }

    @Test func overTLSWithATestCAAndNoSecretInAnyTraceLog() async throws {
        let s = try LongConnectionStack(environment: ["WECOM_LOG_LEVEL": "trace"], tls: true)
        defer { s.stop() }
        try s.startWorker()
        let holder = try s.startHolder()
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isSubscribe))
        try s.waitForSQL("SELECT connected FROM ws_connections WHERE botid = 'standin-bot'", toBe: "1")
        #expect(holder.log.contains("subscribed at wss://localhost"))
        s.dify.defaultScript = .answer(text: "加密连接上的回答")
        let message = try await s.wecom.pushText("你好")
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: LongConnectionMessageTests.isFinal(reqID: message.reqID)))
        let sent = try s.wecomctl.run("send", LongConnectionStack.botID, "--to", "wangwu", "--markdown", "通知")
        #expect(sent.status == 0, "\(sent.all)")
        let status = try s.wecomctl.run("status", "--json")
        for output in [s.logs, sent.all, status.all, try s.wecomctl.run("bots", "list").all] {
            #expect(!output.contains(LongConnectionStack.secret))
        }
        #expect(s.logs.contains("trace"), "the logs are at trace level")
    }

    @Test(arguments: Backend.allCases) func aTakeoverStopsHolderAndStandbyUntilAnOperatorReconnects(_ backend: Backend) async throws {
        let s = try LongConnectionStack(backend: backend)
        defer { s.stop() }
        let first = try s.startHolder()
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isSubscribe))
        let second = try s.startHolder()
        try waitUntil(timeout: 30, "the second process stands by") { second.log.contains("standing by") }

        // Another client (outside this deployment) subscribed as the bot.
        try await s.wecom.pushDisconnectedEvent()
        try s.waitForSQL("SELECT count(*) FROM ws_connections WHERE botid = 'standin-bot' AND taken_over_at IS NOT NULL", toBe: "1")
        try waitUntil(timeout: 30, "the standby sees the mark") { second.log.contains("taken over by another client") }
        try waitUntil(timeout: 30, "the holder closed its connection") { s.wecom.openConnections == 0 }
        let lines = first.log.split(separator: "\n").filter { $0.contains("disconnected_event") }
        #expect(lines.count == 1, "one line: \(lines)")
        let status = try s.wecomctl.run("status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("taken over"), "\(status.all)")
        #expect(s.wecom.received.all.filter(Self.isSubscribe).count == 1)

        let reconnect = try s.wecomctl.run("bots", "reconnect", "standin-bot")
        #expect(reconnect.status == 0, "\(reconnect.all)")
        #expect(await s.wecom.received.wait(count: 2, timeout: .seconds(30), where: Self.isSubscribe))
        try s.waitForSQL("SELECT count(*) FROM ws_connections WHERE botid = 'standin-bot' AND taken_over_at IS NULL", toBe: "1")
        #expect(first.isRunning && second.isRunning)
    }

    @Test func sigtermClosesTheConnectionAndGivesTheLeaseUp() async throws {
        let s = try LongConnectionStack(environment: ["WECOM_WS_LEASE": "600"])
        defer { s.stop() }
        let first = try s.startHolder()
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isSubscribe))
        try s.waitForSQL("SELECT connected FROM ws_connections WHERE botid = 'standin-bot'", toBe: "1")
        let second = try s.startHolder()
        try waitUntil(timeout: 30, "the second process stands by") { second.log.contains("standing by") }
        #expect(first.stop() == 0)
        #expect(first.log.contains("leases given up"))
        // With a 10-minute lease, only the release lets the standby in.
        #expect(await s.wecom.received.wait(count: 2, timeout: .seconds(30), where: Self.isSubscribe))
        try s.waitForSQL("SELECT holder LIKE '%:\(second.pid):%' FROM ws_connections WHERE botid = 'standin-bot'", toBe: "1")
    }
}
