import DifyStandIn
import Foundation
import JSONCore
import LongConnection
import StoreTestSupport
import Testing
import WeComWSStandIn

/// Issue 18: messages over the long connection take the same path as callbacks (dedupe, stream,
/// job, worker, Dify), and `wecom-ws` pushes the answer back as stream frames, with
/// `aibot_send_msg` for what a frame cannot carry.
@Suite(.serialized) struct LongConnectionMessageTests {
    /// The stack with a worker and one `wecom-ws`, subscribed.
    static func started(_ backend: Backend = .sqlite, _ environment: [String: String] = [:]) async throws -> LongConnectionStack {
        let s = try LongConnectionStack(backend: backend, environment: environment)
        try s.startWorker()
        try s.startHolder()
        guard await s.wecom.received.wait(timeout: .seconds(30), where: { $0.frame.command == .subscribe }) else {
            throw FixtureError("no subscription: \(s.logs)")
        }
        // Subscribed once the holder has its ack, which the store shows.
        try s.waitForSQL("SELECT connected FROM ws_connections WHERE botid = 'standin-bot'", toBe: "1")
        return s
    }

    /// The stream frames the stand-in received in reply to the callback `reqID`.
    static func streamFrames(_ s: LongConnectionStack, reqID: String) -> [(id: String, content: String, finish: Bool)] {
        s.wecom.received.all.compactMap { r in
            guard r.frame.command == .respondMessage, r.frame.reqID == reqID,
                  let stream = r.frame.body?["stream"], let id = stream["id"]?.stringValue,
                  let content = stream["content"]?.stringValue else { return nil }
            return (id, content, stream["finish"] == .bool(true))
        }
    }

    static func isFinal(reqID: String) -> @Sendable (WeComWSStandIn.Received) -> Bool {
        { $0.frame.command == .respondMessage && $0.frame.reqID == reqID && $0.frame.body?["stream"]?["finish"] == .bool(true) }
    }

    static func isSend(_ r: WeComWSStandIn.Received) -> Bool { r.frame.command == .sendMessage }

    static func markdown(_ r: WeComWSStandIn.Received) -> String? { r.frame.body?["markdown"]?["content"]?.stringValue }

    @Test(arguments: Backend.allCases) func aTextMessageStreamsBackAndARedeliveryAfterAReconnectMakesNoSecondJob(_ backend: Backend) async throws {
        let s = try await Self.started(backend)
        defer { s.stop() }
        let gate = Gate()
        let chunks = ["春眠不觉晓，", "处处闻啼鸟。", "夜来风雨声，花落知多少。"]
        s.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        let message = try await s.wecom.pushText("背一首诗")
        #expect(gate.waitForWaiters(1, timeout: 30))
        gate.open(1)
        #expect(await s.wecom.received.wait(timeout: .seconds(30)) {
            $0.frame.reqID == message.reqID && $0.frame.body?["stream"]?["content"]?.stringValue == chunks[0]
        })
        gate.openAll()
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isFinal(reqID: message.reqID)))
        let frames = Self.streamFrames(s, reqID: message.reqID)
        #expect(Set(frames.map(\.id)).count == 1)
        #expect(frames.filter(\.finish).count == 1 && frames.last?.finish == true)
        #expect(frames.last?.content == chunks.joined())
        // Each frame carries the whole answer so far.
        for (earlier, later) in zip(frames, frames.dropFirst()) { #expect(later.content.hasPrefix(earlier.content)) }
        #expect(s.dify.chatRequests.first?.query == "背一首诗")

        // The connection drops; WeCom delivers the same message again under a new req_id.
        s.wecom.dropConnections()
        #expect(await s.wecom.received.wait(count: 2, timeout: .seconds(30)) { $0.frame.command == .subscribe })
        var again = message
        again.reqID = "standin-redelivery"
        try await s.wecom.push(again)
        let next = try await s.wecom.pushText("第二个问题")
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isFinal(reqID: next.reqID)))
        #expect(try s.sql("SELECT count(*) FROM jobs") == "2")
        #expect(s.dify.chatRequests.count == 2)
    }

    @Test func anAnswerOver20480BytesContinuesInOrderedMessages() async throws {
        let s = try await Self.started()
        defer { s.stop() }
        let line = String(repeating: "长", count: 99) + "\n"  // 298 bytes
        let answer = String(repeating: line, count: 160)     // 47,680 bytes
        s.dify.defaultScript = .answer(chunks: Array(repeating: line, count: 160))
        let message = try await s.wecom.pushText("写长一点")
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isFinal(reqID: message.reqID)),
                "\((try? s.sql("SELECT s.state, length(s.content), w.phase, w.push_seq, w.first_frame_at FROM streams s JOIN ws_streams w ON w.stream_id = s.id")) ?? "")\n\(s.logs.suffix(4000))")
        #expect(await s.wecom.received.wait(count: 2, timeout: .seconds(30), where: Self.isSend))
        let head = try #require(Self.streamFrames(s, reqID: message.reqID).last?.content)
        #expect(head.utf8.count <= 20480)
        let sends = s.wecom.received.all.filter(Self.isSend)
        #expect(sends.allSatisfy { $0.frame.body?["chat_type"] == .number(1) && $0.frame.body?["chatid"]?.stringValue == "standin-user" })
        #expect(sends.allSatisfy { (Self.markdown($0)?.utf8.count ?? .max) <= 20480 })
        #expect(head + sends.compactMap(Self.markdown).joined() == answer)
    }

    @Test func anAnswerOutlivingTheDeadlineEndsWithTheNoticeAndFollowsByMessage() async throws {
        let s = try await Self.started(.sqlite, ["WECOM_STREAM_DEADLINE": "2"])
        defer { s.stop() }
        let gate = Gate()
        s.dify.defaultScript = .gated(chunks: ["第一段。", "第二段。"], gate: gate)
        let message = try await s.wecom.pushText("慢慢答")
        #expect(gate.waitForWaiters(1, timeout: 30))
        gate.open(1)
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isFinal(reqID: message.reqID)))
        let final = try #require(Self.streamFrames(s, reqID: message.reqID).last)
        #expect(final.content.contains("回答仍在生成中"))
        #expect(s.wecom.received.all.filter(Self.isSend).isEmpty)
        gate.openAll()
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isSend))
        #expect(s.wecom.received.all.filter(Self.isSend).compactMap(Self.markdown) == ["第一段。第二段。"])
    }

    @Test func anExpiredStreamFrame846608FallsBackToAMessage() async throws {
        let s = try await Self.started()
        defer { s.stop() }
        s.wecom.answer(.respondMessage, errcode: 846608, errmsg: "stream message update expired")
        s.dify.defaultScript = .answer(text: "过期了也要送到")
        let message = try await s.wecom.pushText("问题")
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: Self.isSend))
        #expect(s.wecom.received.all.filter(Self.isSend).compactMap(Self.markdown) == ["过期了也要送到"])
        #expect(Self.streamFrames(s, reqID: message.reqID).count == 1, "no frame after the refusal")
    }
}
