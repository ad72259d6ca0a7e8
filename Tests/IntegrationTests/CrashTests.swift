import DifyStandIn
import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// Issue 7: processes die with SIGKILL in the middle of work; nothing is lost or done twice.
@Suite(.serialized) struct CrashTests {
    @Test(arguments: Backend.allCases) func fiftyStreamingAnswersSurviveTwoWorkerKills(_ backend: Backend) throws {
        let s = try AnswerStack(workers: 0, environment: ["WECOM_JOB_LEASE": "2", "WECOM_JOB_MAX_ATTEMPTS": "5"],
                                backend: backend)
        defer { s.stop() }
        let gate = Gate()
        let chunks = ["第一段。", "第二段。", "第三段。"]
        s.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        var workers = [try s.stack.startWorker(concurrency: 32), try s.stack.startWorker(concurrency: 32)]
        let count = 50
        let wecom = s.wecom
        let ids = try Parallel.map(count, width: 10) { i in
            try wecom.send(WeComSimulator.text(msgID: "crash-\(i)", content: "问题\(i)"))
        }.map { try $0.get() }
        #expect(gate.waitForWaiters(count, timeout: 30))
        gate.open(count)
        #expect(gate.waitForDelivered(count, timeout: 30))

        for round in 1...2 {
            // Every claimed job has reached the stand-in (one attempt = one chat request) …
            try s.stack.waitForSQL("SELECT sum(attempts) FROM jobs", toBe: "\(s.dify.chatRequests.count)")
            // … and the victim is the worker holding the most running jobs.
            let owned = try workers.map { w in
                Int(try s.stack.sql("SELECT count(*) FROM jobs WHERE state = 'running' AND lease_owner LIKE '%:\(w.pid):%'")) ?? 0
            }
            let victim = owned.indices.max { owned[$0] < owned[$1] } ?? 0
            #expect(owned[victim] > 0, "round \(round): the victim holds no job")
            let victimPID = workers[victim].pid
            kill(victimPID, SIGKILL)
            try waitUntil("worker killed") { !workers[victim].isRunning }
            // Counted once the worker is dead: a job it was finishing when counted above may have
            // completed before the kill, and only the ones still running are claimed again. The
            // requests first: a job re-claimed in between then counts in neither.
            let requestsBefore = s.dify.chatRequests.count
            let orphaned = Int(try s.stack.sql(
                "SELECT count(*) FROM jobs WHERE state = 'running' AND lease_owner LIKE '%:\(victimPID):%'")) ?? 0
            workers[victim] = try s.stack.startWorker(concurrency: 32)
            // After the 2 s lease, every job of the dead worker is claimed again: one new request each.
            #expect(s.dify.waitForChatRequests(count: requestsBefore + orphaned, timeout: 30), "round \(round)")
            gate.open(orphaned)
        }
        gate.openAll()

        for id in ids {
            let final = try wecom.final(streamID: id, timeout: 60)
            #expect(final["content"] as? String == chunks.joined(), "stream \(id) ended with \(final)")
        }
        try s.stack.waitForSQL("SELECT count(*) FROM jobs WHERE state = 'done'", toBe: "\(count)", timeout: 30)
        // Each attempt is one chat request; only the last attempt of a job completed.
        let requests = s.dify.chatRequests
        #expect(try s.stack.sql("SELECT sum(attempts) FROM jobs") == "\(requests.count)")
        #expect(Set(requests.compactMap(\.query)) == Set((0..<count).map { "问题\($0)" }))
        let finished = s.stack.logs.split(separator: "\n").filter { $0.contains("job finished") && $0.contains("outcome=done") }
        #expect(finished.count == count, "jobs completed \(finished.count) times")
    }

    @Test func killedResponderChildIsReplacedWhileTheOthersKeepServing() throws {
        let token = "tok" + SecureRandom.alphanumeric(12), key = EncodingAESKeyGenerator.make()
        let stack = try ResponderStack(instances: 2, processes: 2,
                                       environment: ["WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key])
        defer { stack.stop() }
        let wecom = try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key)
        let master = stack.responders[0]
        let children = ProcessTree.children(of: master.pid)
        #expect(children.count == 2)
        let victim = try #require(children.first)

        let width = 8, port = stack.port
        let load = LoadGenerator(width: width) { n in
            guard let (target, body) = try? wecom.signedPost(WeComSimulator.text(msgID: "load-\(n)", content: "负载\(n)")) else { return -2 }
            return (try? HTTPClient.request(port: port, method: "POST", target: target, body: body).status) ?? -1
        }
        try waitUntil(timeout: 30, "load running") { load.count(200) >= 50 }
        kill(victim, SIGKILL)
        try waitUntil(timeout: 15, "a replacement child") {
            let now = ProcessTree.children(of: master.pid)
            return now.count == 2 && !now.contains(victim)
        }
        let restartLine = master.log.split(separator: "\n").first { $0.contains("restarting") && $0.contains("fcgi.child_pid=\(victim)") }
        #expect(restartLine != nil, "no restart line for \(victim): \(master.log.suffix(2000))")
        let served = load.count(200)
        try waitUntil(timeout: 30, "more requests served after the restart") { load.count(200) >= served + 100 }
        let statuses = load.stop()

        // Only requests in flight on the killed child may fail: at most one per load thread.
        let failed = statuses.filter { $0.key != 200 }.values.reduce(0, +)
        #expect(failed <= width, "statuses: \(statuses)")
        // No half-written rows: every message has its stream and job, and the other way round.
        #expect(try stack.sqlite("""
            SELECT count(*) FROM messages m LEFT JOIN streams s ON s.id = m.stream_id LEFT JOIN jobs j ON j.stream_id = m.stream_id
            WHERE s.id IS NULL OR j.id IS NULL
            """) == "0")
        #expect(try stack.sqlite("SELECT count(*) FROM streams s LEFT JOIN messages m ON m.stream_id = s.id WHERE m.msgid IS NULL") == "0")
        let stored = Int(try stack.sqlite("SELECT count(*) FROM messages")) ?? -1
        #expect((statuses[200] ?? 0)...((statuses[200] ?? 0) + failed) ~= stored)
        #expect(try stack.sqlite("PRAGMA integrity_check") == "ok")
    }
}
