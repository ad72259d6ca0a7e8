import DifyStandIn
import Foundation
import Testing

/// Issue 6: a worker's running answers share a small pool of database connections, so a
/// thousand of them cost a handful of connections, and their writes are as durable as before.
@Suite(.serialized) struct WorkerConnectionTests {
    @Test func twoHundredAnswersInOneWorkerUseAtMostThePoolsConnections() throws {
        let s = try AnswerStack(workers: 0)
        defer { s.stop() }
        let gate = Gate()
        let chunks = ["第一段。", "第二段。"]
        s.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        // Three pooled connections, one each for claiming, the progress writer and the checkpointer.
        let worker = try s.stack.startWorker(concurrency: 256, arguments: ["--store-connections", "3"])
        let count = 200
        let wecom = s.wecom
        let ids = try Parallel.map(count, width: 10) { i in
            try wecom.send(WeComSimulator.text(msgID: "pool-\(i)", content: "问题\(i)", userID: "user\(i)"))
        }.map { try $0.get() }

        // Every answer's runner looked its conversation up and is now streaming from the stand-in.
        #expect(gate.waitForWaiters(count, timeout: 60))
        let streaming = ProcessTree.openDescriptors(of: worker.pid, to: s.stack.databasePath)
        #expect((3...6).contains(streaming), "\(count) streaming answers hold \(streaming) connections to the database")

        // Every runner then saves its Dify conversation id and finishes its job: writes of its own,
        // made on a pooled connection rather than one per runner.
        gate.openAll()
        for id in ids {
            let final = try wecom.final(streamID: id, timeout: 60)
            #expect(final["content"] as? String == chunks.joined(), "stream \(id) ended with \(final)")
        }
        try s.stack.waitForSQL("SELECT count(*) FROM jobs WHERE state = 'done'", toBe: "\(count)", timeout: 30)
        #expect(try s.stack.sqlite("SELECT count(*) FROM conversations") == "\(count)")
        let finished = ProcessTree.openDescriptors(of: worker.pid, to: s.stack.databasePath)
        #expect((3...6).contains(finished), "after \(count) answers the worker holds \(finished) connections")
    }

    @Test func pooledWritesSurviveAWorkerKillAndTheHeldAnswersRunAgain() throws {
        let s = try AnswerStack(workers: 0, environment: ["WECOM_JOB_LEASE": "2", "WECOM_JOB_MAX_ATTEMPTS": "5"])
        defer { s.stop() }
        let (early, late) = (Gate(), Gate())
        let chunks = ["甲。", "乙。"]
        s.dify.setRequestScript { chat in .gated(chunks: chunks, gate: chat.query?.hasPrefix("先") == true ? early : late) }
        var worker = try s.stack.startWorker(concurrency: 64, arguments: ["--store-connections", "2"])
        let half = 20
        let wecom = s.wecom
        let ids = try Parallel.map(2 * half, width: 10) { i in
            try wecom.send(WeComSimulator.text(msgID: "kill-\(i)", content: (i < half ? "先" : "后") + "\(i)", userID: "user\(i)"))
        }.map { try $0.get() }
        #expect(early.waitForWaiters(half, timeout: 30))
        #expect(late.waitForWaiters(half, timeout: 30))

        // The first half finishes (finishJob and the conversation ids go through the pool) …
        early.openAll()
        for id in ids[..<half] {
            let final = try wecom.final(streamID: id, timeout: 30)
            #expect(final["content"] as? String == chunks.joined())
        }
        try s.stack.waitForSQL("SELECT count(*) FROM jobs WHERE state = 'done'", toBe: "\(half)")
        // … then the worker dies with the second half held at the stand-in.
        let requestsBefore = s.dify.chatRequests.count
        kill(worker.pid, SIGKILL)
        try waitUntil("worker killed") { !worker.isRunning }
        #expect(try s.stack.sqlite("SELECT count(*) FROM jobs WHERE state = 'done'") == "\(half)")
        #expect(try s.stack.sqlite("SELECT count(*) FROM conversations") == "\(half)")

        worker = try s.stack.startWorker(concurrency: 64, arguments: ["--store-connections", "2"])
        // After the 2 s lease, each held job is claimed again: one new chat request each.
        #expect(s.dify.waitForChatRequests(count: requestsBefore + half, timeout: 30))
        late.openAll()
        for id in ids[half...] {
            let final = try wecom.final(streamID: id, timeout: 30)
            #expect(final["content"] as? String == chunks.joined())
        }
        try s.stack.waitForSQL("SELECT count(*) FROM jobs WHERE state = 'done'", toBe: "\(2 * half)", timeout: 30)
        #expect(try s.stack.sqlite("SELECT count(*) FROM conversations") == "\(2 * half)")
        #expect(try s.stack.sqlite("SELECT group_concat(attempts) FROM (SELECT DISTINCT attempts FROM jobs ORDER BY 1)") == "1,2")
        #expect(try s.stack.sqlite("SELECT count(*) FROM jobs WHERE attempts = 2") == "\(half)")
        let done = s.stack.logs.split(separator: "\n").filter { $0.contains("job finished") && $0.contains("outcome=done") }
        #expect(done.count == 2 * half, "jobs completed \(done.count) times")
    }
}
