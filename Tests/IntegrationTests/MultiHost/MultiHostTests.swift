import DifyStandIn
import Foundation
import Testing

/// Issue 17: two hosts, each with its own nginx, `wecom-fcgi` and `wecom-worker`, share one
/// PostgreSQL; each host and the database sit in a network namespace of their own, so they meet
/// only over the network, as separate machines do (``TwoHostCluster``).
@Suite(.serialized) struct MultiHostTests {
    @Test func aMessageSentToHostAIsAnsweredThroughRefreshesToHostB() throws {
        let c = try TwoHostCluster()
        defer { c.stop() }
        let gate = Gate()
        let chunks = ["第一段。", "第二段。"]
        c.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        try c.a.startWorker()
        try c.b.startWorker()
        let id = try c.wecomA.send(WeComSimulator.text(msgID: "cross-1", content: "你好"))
        #expect(gate.waitForWaiters(1, timeout: 15))
        gate.open(1)
        // B shows the part written so far by whichever host's worker runs the job …
        let partial = try c.wecomB.poll(streamID: id) { $0.stream["content"] as? String == chunks[0] }
        #expect(partial.stream["finish"] as? Bool == false)
        // … and the whole answer at the end.
        gate.openAll()
        let final = try c.wecomB.final(streamID: id)
        #expect(final["content"] as? String == chunks.joined(), "\(c.logs)")
        #expect(try c.database.psql("SELECT count(*) || '|' || min(state) FROM jobs") == "1|done")
        #expect(c.dify.chatRequests.count == 1)
    }

    @Test func oneMsgidDeliveredToBothHostsAtOnceMakesOneJobAndOneStream() throws {
        let c = try TwoHostCluster()
        defer { c.stop() }
        c.dify.setScript { .answer(chunks: ["答：", $0]) }
        try c.a.startWorker()
        try c.b.startWorker()
        let count = 20
        let (wecomA, wecomB) = (c.wecomA, c.wecomB)
        // Message n goes to A (even i) and to B (odd i); all 2 × count deliveries leave together.
        let start = StartingLine(runners: 2 * count)
        let results = Parallel.map(2 * count, width: 2 * count) { i in
            let message = WeComSimulator.text(msgID: "both-\(i / 2)", content: "问题\(i / 2)")
            start.wait()
            return try (i.isMultiple(of: 2) ? wecomA : wecomB).send(message)
        }
        var ids: [String] = []
        for n in 0..<count {
            let (fromA, fromB) = (try results[2 * n].get(), try results[2 * n + 1].get())
            #expect(fromA == fromB, "message \(n): stream \(fromA) from A, \(fromB) from B")
            ids.append(fromA)
        }
        for (n, id) in ids.enumerated() {
            let final = try (n.isMultiple(of: 2) ? wecomB : wecomA).final(streamID: id)
            #expect(final["content"] as? String == "答：问题\(n)", "stream \(id) ended with \(final)")
        }
        try c.waitForSQL("SELECT count(*) FROM jobs WHERE state = 'done'", toBe: "\(count)")
        #expect(try c.database.psql("""
            SELECT (SELECT count(*) FROM messages) || '|' || (SELECT count(*) FROM streams) || '|' || (SELECT count(*) FROM jobs)
            """) == "\(count)|\(count)|\(count)")
        // One job each: one chat request, one completed answer.
        #expect(c.dify.chatRequests.compactMap(\.query).sorted() == (0..<count).map { "问题\($0)" }.sorted())
        #expect(c.completedAnswers.count == count)
    }

    @Test func aWorkerKilledMidAnswerOnHostAHasTheAnswerFinishedOnceOnHostB() throws {
        let c = try TwoHostCluster(environment: ["WECOM_JOB_LEASE": "3"])
        defer { c.stop() }
        let gate = Gate()
        let chunks = ["第一段。", "第二段。", "第三段。"]
        c.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        let workerA = try c.a.startWorker()
        let id = try c.wecomB.send(WeComSimulator.text(msgID: "kill-1", content: "问题"))
        #expect(gate.waitForWaiters(1, timeout: 15))
        gate.open(1)
        _ = try c.wecomB.poll(streamID: id) { $0.stream["content"] as? String == chunks[0] }
        #expect(try c.database.psql("SELECT state || '|' || attempts || '|' || (lease_owner LIKE '%:\(workerA.pid):%') FROM jobs")
                == "running|1|true")

        kill(workerA.pid, SIGKILL)
        try waitUntil("A's worker killed") { !workerA.isRunning }
        let workerB = try c.b.startWorker()
        // After the lease, B's worker claims the job again and asks Dify once more.
        #expect(c.dify.waitForChatRequests(count: 2, timeout: 30))
        try c.waitForSQL("SELECT state || '|' || attempts || '|' || (lease_owner LIKE '%:\(workerB.pid):%') FROM jobs",
                         toBe: "running|2|true")
        gate.openAll()
        // The new attempt rewrote the answer from its start: the first part shows once.
        let final = try c.wecomA.final(streamID: id)
        #expect(final["content"] as? String == chunks.joined(), "\(c.logs)")
        #expect(try c.database.psql("SELECT state FROM jobs") == "done")
        #expect(c.b.completedAnswers.count == 1)
        #expect(c.a.completedAnswers.isEmpty)
    }

    @Test func hostACutOffKeepsHostBAnsweringAndHostBTakesOverAsJobs() throws {
        let c = try TwoHostCluster(environment: ["WECOM_JOB_LEASE": "3"])
        var cutOff: Set<String> = []
        defer { c.stop(cutOff: cutOff) }
        let gate = Gate()
        let slow = ["慢答一。", "慢答二。"]
        c.dify.setScript { query in query.hasPrefix("慢") ? .gated(chunks: slow, gate: gate) : .answer(chunks: ["答：", query]) }
        // A's worker alone claims the first messages, which then wait at the stand-in.
        let workerA = try c.a.startWorker()
        let held = 4
        let heldIDs = try (0..<held).map { try c.wecomA.send(WeComSimulator.text(msgID: "held-\($0)", content: "慢\($0)")) }
        #expect(gate.waitForWaiters(held, timeout: 15))
        #expect(try c.database.psql("SELECT count(*) FROM jobs WHERE state = 'running' AND lease_owner LIKE '%:\(workerA.pid):%'")
                == "\(held)")
        let workerB = try c.b.startWorker()

        try c.network.cutOff("a")
        cutOff.insert("a")
        // B answers new messages from start to finish while A is gone …
        let fresh = 3
        for n in 0..<fresh {
            let id = try c.wecomB.send(WeComSimulator.text(msgID: "fresh-\(n)", content: "新\(n)"))
            let final = try c.wecomB.final(streamID: id)
            #expect(final["content"] as? String == "答：新\(n)", "\(c.logs)")
        }
        // … and once their leases run out, claims A's jobs again: one more chat request each.
        #expect(c.dify.waitForChatRequests(count: held + fresh + held, timeout: 30))
        try c.waitForSQL("SELECT count(*) FROM jobs WHERE attempts = 2 AND lease_owner LIKE '%:\(workerB.pid):%'",
                         toBe: "\(held)")
        gate.openAll()
        for id in heldIDs {
            let final = try c.wecomB.final(streamID: id)
            #expect(final["content"] as? String == slow.joined(), "stream \(id) ended with \(final)")
        }
        try c.waitForSQL("SELECT count(*) FROM jobs WHERE state = 'done'", toBe: "\(held + fresh)")
        #expect(c.b.completedAnswers.count == held + fresh)
        #expect(c.a.completedAnswers.isEmpty)
    }

    @Test func everyMessageAcceptedWhilePostgresRestartsIsAnsweredOnce() throws {
        let c = try TwoHostCluster(environment: ["WECOM_JOB_LEASE": "3"])
        defer { c.stop() }
        c.dify.setScript { .answer(chunks: ["答：", $0, "。"], delayMillis: 20) }
        try c.a.startWorker(concurrency: 16)
        try c.b.startWorker(concurrency: 16)
        let running = c.a.processes + c.b.processes
        let children = [c.a.responder, c.b.responder].map { ProcessTree.children(of: $0.pid) }
        let started = try c.database.psql("SELECT pg_postmaster_start_time()")

        // Messages alternate between the hosts; each accepted one is refreshed at once through the
        // other. After a failed delivery a sender pauses, as WeCom does before it tries again (the
        // responders answer 503 in microseconds while the database is down; without a pause the
        // outage would turn thousands of messages away, each to be redelivered and answered below).
        let ledger = DeliveryLedger()
        let hosts = [c.wecomA, c.wecomB]
        let load = LoadGenerator(width: 6) { n in
            let status = ledger.deliver(n, via: hosts[n % 2])
            if status == 200 { ledger.refresh(n, via: hosts[(n + 1) % 2]) } else { usleep(50_000) }
            return status
        }
        try waitUntil(timeout: 30, "messages accepted before the restart") { ledger.accepted.count >= 20 }
        try c.database.restart()
        let acceptedBefore = ledger.accepted.count
        try waitUntil(timeout: 30, "messages accepted after the restart") { ledger.accepted.count >= acceptedBefore + 20 }
        _ = load.stop()
        #expect(try c.database.psql("SELECT pg_postmaster_start_time()") != started)

        // What was not answered 200 was answered "try again later" (never an error or silence) …
        #expect(Set(ledger.statuses.keys).isSubset(of: [200, 503]), "callbacks: \(ledger.statuses)")
        #expect(Set(ledger.refreshStatuses.keys).isSubset(of: [200, 503]), "refreshes: \(ledger.refreshStatuses)")
        // … so WeCom delivers it again, with the same msgid, until it is.
        for n in ledger.unaccepted {
            try waitUntil(timeout: 15, "message \(n) accepted on redelivery") {
                ledger.deliver(n, via: hosts[n % 2]) == 200
            }
        }
        let accepted = ledger.accepted
        try c.waitForSQL("SELECT count(*) FROM jobs WHERE state = 'done'", toBe: "\(accepted.count)", timeout: 60)
        #expect(try c.database.psql("""
            SELECT (SELECT count(*) FROM messages) || '|' || (SELECT count(*) FROM streams) || '|' || (SELECT count(*) FROM jobs)
            """) == "\(accepted.count)|\(accepted.count)|\(accepted.count)")
        for (n, id) in accepted {
            let final = try hosts[(n + 1) % 2].postAndOpen(WeComSimulator.refresh(streamID: id)).stream
            #expect(final["finish"] as? Bool == true && final["content"] as? String == "答：问题\(n)。",
                    "message \(n): \(final)")
        }
        // No job completed twice.
        let completedJobs = c.completedAnswers.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("job=") }
        }
        #expect(completedJobs.count == Set(completedJobs).count, "completed twice: \(completedJobs)")

        // Nothing was restarted: the same processes, and the same responder children, still run.
        #expect(running.filter { !$0.isRunning }.map(\.name) == [])
        #expect([c.a.responder, c.b.responder].map { ProcessTree.children(of: $0.pid) } == children)
    }
}

/// Lets a number of threads go at the same moment: each calls ``wait()``, and all return once
/// the last has arrived.
private final class StartingLine: @unchecked Sendable {
    // @unchecked: `arrived` is guarded by `condition`.
    private let condition = NSCondition()
    private let runners: Int
    private var arrived = 0

    init(runners: Int) { self.runners = runners }

    func wait() {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        while arrived < runners { condition.wait() }
    }
}

/// What WeCom saw of numbered messages ("问题<n>", msgid "load-<n>"): each delivery's status,
/// each accepted message's stream id, and the statuses of the refreshes that followed.
private final class DeliveryLedger: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var streams: [Int: String] = [:]
    private var failed: Set<Int> = []
    private var deliveryStatuses: [Int: Int] = [:]
    private var refreshCounts: [Int: Int] = [:]

    /// Delivers message `n` (again, with the same msgid, if it was delivered before) and records
    /// the outcome; returns the HTTP status (-1: no response).
    func deliver(_ n: Int, via wecom: WeComSimulator) -> Int {
        var status = -1, stream: String?
        if let response = try? wecom.post(WeComSimulator.text(msgID: "load-\(n)", content: "问题\(n)")) {
            status = response.status
            if status == 200 { stream = (try? wecom.open(response.body))?.stream["id"] as? String }
        }
        lock.lock()
        defer { lock.unlock() }
        deliveryStatuses[status, default: 0] += 1
        if let stream {
            streams[n] = stream
            failed.remove(n)
        } else if streams[n] == nil {
            failed.insert(n)
        }
        return status
    }

    /// Refreshes message `n`'s stream, if it was accepted, and records the status.
    func refresh(_ n: Int, via wecom: WeComSimulator) {
        guard let stream = lock.withLock({ streams[n] }) else { return }
        let status = (try? wecom.post(WeComSimulator.refresh(streamID: stream)))?.status ?? -1
        lock.withLock { refreshCounts[status, default: 0] += 1 }
    }

    /// Message number → stream id, for every message answered 200.
    var accepted: [Int: String] { lock.withLock { streams } }
    /// Messages never answered 200.
    var unaccepted: [Int] { lock.withLock { failed.sorted() } }
    /// Callback status → how many deliveries got it.
    var statuses: [Int: Int] { lock.withLock { deliveryStatuses } }
    /// Refresh status → how many refreshes got it.
    var refreshStatuses: [Int: Int] { lock.withLock { refreshCounts } }
}
