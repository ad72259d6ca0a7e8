import DifyStandIn
import Foundation
import Testing
import WeComModel

/// The worker as a process, the built-in echo agent, and answers longer than a stream.
@Suite(.serialized) struct WorkerLifecycleTests {
    @Test func sigtermReleasesAnUnfinishedAnswerAndExits() throws {
        let s = try AnswerStack(workers: 0)
        defer { s.stop() }
        let gate = Gate()
        s.dify.defaultScript = .gated(chunks: ["一", "二"], gate: gate)
        let worker = try s.stack.startWorker(concurrency: 2, grace: 0.5)
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "term-1", content: "等一下"))
        #expect(gate.waitForWaiters(1, timeout: 10))
        #expect(worker.stop(signal: SIGTERM) == 0)
        #expect(try s.job(stream: streamID) == "queued|1|released at worker shutdown")
        try s.stack.startWorker()
        #expect(s.dify.waitForChatRequests(count: 2, timeout: 10))
        gate.openAll()
        #expect(try s.wecom.final(streamID: streamID)["content"] as? String == "一二")
    }

    @Test func echoAgentStreamsTheTextBackWhenNoDifyIsConfigured() throws {
        let s = try AnswerStack(environment: ["DIFY_API_BASE_URL": "", "DIFY_API_KEY": "", "WECOM_ECHO_AGENT": "1"])
        defer { s.stop() }
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "echo-1", content: "你好，世界"))
        #expect(try s.wecom.final(streamID: streamID)["content"] as? String == "echo: 你好，世界")
        #expect(s.dify.chatRequests.isEmpty)
    }

    @Test func noAgentAtAllIsAReadableMessage() throws {
        let s = try AnswerStack(environment: ["DIFY_API_BASE_URL": "", "DIFY_API_KEY": ""])
        defer { s.stop() }
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "none-1", content: "在吗"))
        #expect((try s.wecom.final(streamID: streamID)["content"] as? String)?.contains("没有配置 AI 应用") == true)
        #expect(try s.job(stream: streamID).hasPrefix("dead|1|no Dify agent"))
    }

    @Test func anAnswerLongerThanAStreamSendsTheRestThroughResponseURL() throws {
        let s = try AnswerStack()
        defer { s.stop() }
        let part = String(repeating: "长", count: 1000)            // 3000 bytes
        let chunks = Array(repeating: part, count: 8)               // 24000 bytes in all
        s.dify.defaultScript = .answer(chunks: chunks)
        let url = s.dify.responseURL(code: "CODE-LONG")
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "long-1", content: "写长文", responseURL: url))
        let final = try s.wecom.final(streamID: streamID)
        let head = try #require(final["content"] as? String)
        #expect(head.utf8.count == 20478)
        #expect(s.dify.waitForPostedResponses(count: 1, code: "CODE-LONG", timeout: 10))
        let rest = try #require(s.dify.postedResponses.first?.json?["markdown"]?["content"]?.stringValue)
        #expect(head + rest == chunks.joined())
    }
}
