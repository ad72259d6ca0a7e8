import Foundation
import LongConnection
import StoreTestSupport
import Testing
import WeComWSStandIn

/// Issue 19: `wecom-ws --metrics ADDR` against the stand-in WeCom: one scrape counts the frames,
/// acks, errcodes and reconnects the session went through, the bots it holds and the store's bots.
@Suite(.serialized) struct LongConnectionMetricsTests {
    /// The stack with a worker and one `wecom-ws --metrics 127.0.0.1:0`, subscribed, and the port
    /// its metrics listener logged.
    private static func started(backend: Backend = .sqlite) async throws -> (LongConnectionStack, Int) {
        let s = try LongConnectionStack(backend: backend)
        try s.startWorker()
        let holder = try s.startHolder(arguments: ["--metrics", "127.0.0.1:0"])
        var port: Int?
        try waitUntil("the metrics listener's log line") {
            guard let line = holder.log.split(separator: "\n").first(where: { $0.contains("metrics listening") }),
                  let found = line.range(of: "127.0.0.1:") else { return false }
            port = Int(line[found.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        guard await s.wecom.received.wait(timeout: .seconds(30), where: { $0.frame.command == .subscribe }) else {
            throw FixtureError("no subscription: \(s.logs)")
        }
        try s.waitForSQL("SELECT connected FROM ws_connections WHERE botid = 'standin-bot'", toBe: "1")
        return (s, port ?? 0)
    }

    private static func scrape(_ port: Int) throws -> [String: Double] {
        let response = try HTTPClient.request(port: port, method: "GET", target: "/metrics")
        guard response.status == 200 else { throw FixtureError("scrape: \(response.status) \(response.text)") }
        return try ResponderMetricsTests.samples(response.text)
    }

    @Test func oneScrapeCountsTheFramesAcksErrcodesAndTheReconnect() async throws {
        let (s, port) = try await Self.started()
        defer { s.stop() }
        // WeCom refuses the answer's stream frame (the reply window closed): the answer follows
        // by aibot_send_msg, and the refusal is counted once.
        s.wecom.answer(.respondMessage, errcode: 846608, errmsg: "reply window closed")
        s.dify.defaultScript = .answer(text: "指标里的回答")
        let message = try await s.wecom.pushText("你好")
        #expect(await s.wecom.received.wait(timeout: .seconds(30)) {
            $0.frame.command == .sendMessage && $0.frame.body?["markdown"]?["content"]?.stringValue == "指标里的回答"
        }, "\(s.logs.suffix(3000))")
        let refusedFrames = s.wecom.received.all.filter { $0.frame.command == .respondMessage && $0.frame.reqID == message.reqID }
        #expect(refusedFrames.count == 1)

        s.wecom.dropConnections()
        #expect(await s.wecom.received.wait(count: 2, timeout: .seconds(30)) { $0.frame.command == .subscribe })
        // Subscribed again, and the store's reading (at most a second old) shows it.
        var samples: [String: Double] = [:]
        try waitUntil(timeout: 30, interval: 0.05, "connected again in a scrape") {
            samples = (try? Self.scrape(port)) ?? [:]
            return samples[#"wecom_ws_bots{state="connected"}"#] == 1 && samples["wecom_ws_reconnects_total"] == 1
                && samples[#"wecom_ws_store_bots{state="connected"}"#] == 1
        }
        #expect(samples[#"wecom_ws_frames_received_total{command="aibot_msg_callback"}"#] == 1)
        #expect(samples[#"wecom_ws_frames_received_total{command="aibot_event_callback"}"#] == 0)
        #expect(samples[#"wecom_ws_frames_sent_total{command="aibot_subscribe"}"#] == 2)
        #expect(samples[#"wecom_ws_frames_sent_total{command="aibot_respond_msg"}"#] == 1)
        #expect(samples[#"wecom_ws_frames_sent_total{command="aibot_send_msg"}"#] == 1)
        #expect(samples[#"wecom_ws_acks_total{result="refused"}"#] == 1)
        #expect(samples[#"wecom_ws_acks_total{result="timeout"}"#] == 0)
        // Every frame sent was acked: the two subscriptions, the refused frame, the message, pings.
        let sent = samples.filter { $0.key.hasPrefix("wecom_ws_frames_sent_total{") }.values.reduce(0, +)
        #expect(samples[#"wecom_ws_acks_total{result="ok"}"#] == sent - 1)
        #expect(samples[#"wecom_ws_errcodes_total{errcode="846608"}"#] == 1)
        #expect(samples.filter { $0.key.hasPrefix("wecom_ws_errcodes_total{") }.values.reduce(0, +) == 1)
        #expect(samples["wecom_ws_reconnects_total"] == 1)
        #expect(samples[#"wecom_ws_bots{state="held"}"#] == 1)
        #expect(samples[#"wecom_ws_bots{state="connected"}"#] == 1)
        #expect(samples[#"wecom_ws_store_bots{state="connected"}"#] == 1)
        #expect(samples[#"wecom_ws_store_bots{state="disconnected"}"#] == 0)
        #expect(samples[#"wecom_ws_store_bots{state="taken_over"}"#] == 0)
        try ResponderMetricsTests.promtoolAccepts(try HTTPClient.request(port: port, method: "GET", target: "/metrics").text)
    }

    /// The database file moved away: `/healthz` says why with 503, and 200 again once it is back.
    @Test func healthTurns503WhileTheStoreIsGoneAnd200WhenItIsBack() async throws {
        let (s, port) = try await Self.started()
        defer { s.stop() }
        try HealthProbe.expectHealthFollowsTheDatabaseFile(port: port, databasePath: s.database.sqlitePath)
    }

    /// On PostgreSQL: an operator's `LOCK TABLE bots` in `psql` holds every read of the bots;
    /// the holder's health read gives up as a responder's does and says why with 503.
    @Test func healthTurns503WhileAnOperatorLocksTheStoreOnPostgreSQL() async throws {
        let (s, port) = try await Self.started(backend: .postgres)
        defer { s.stop() }
        try HealthProbe.expectHealthFollowsALockedTable(port: port, database: s.database, scratch: s.scratch)
    }
}
