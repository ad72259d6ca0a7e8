import DifyStandIn
import Foundation
import StoreTestSupport
import Testing

/// Issue 17: a `wecom-worker` whose clock runs ten minutes ahead or behind (libfaketime, as the
/// `faketime` command loads it) shares a PostgreSQL queue with one on the right time. Leases
/// are judged by the database's clock, so the skewed worker neither takes the live lease of the
/// other nor waits ten minutes for a dead one, the lease it holds itself lasts as long as it
/// asked by the database's clock, and it judges the 6-minute window on its own clock.
///
/// Every check is a condition on the job's row against the database's clock (`now()`); the
/// only bound is the lease itself.
@Suite(.serialized) struct ClockSkewWorkerTests {
    static let lease: Int64 = 3

    @Test(arguments: [600, -600]) func aSkewedWorkerNeitherStealsALiveLeaseNorKeepsADeadOne(skew: Int) throws {
        let s = try AnswerStack(workers: 0, environment: ["WECOM_JOB_LEASE": String(Self.lease)], backend: .postgres)
        defer { s.stop() }
        let gate = Gate()
        let chunks = ["第一句。", "第二句。"]
        s.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        let exact = try s.stack.startWorker(concurrency: 1)
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "skew-1", content: "讲个故事",
                                                            responseURL: s.dify.responseURL(code: "CODE-SKEW")))
        #expect(gate.waitForWaiters(1, timeout: 10))
        gate.open(1)
        _ = try s.wecom.poll(streamID: streamID) { $0.stream["content"] as? String == chunks[0] }
        let job = "FROM jobs WHERE stream_id = '\(streamID)'"
        let dbNow = "floor(extract(epoch FROM now()))"

        let skewed = try s.stack.startWorker(concurrency: 1, environment: try Self.clock(offset: skew))
        let skewedName = s.stack.workerApplicationName(1)
        let logged = try #require(try Self.firstLogTime(skewed)) - Int(Date().timeIntervalSince1970)
        #expect(abs(logged - skew) < 60, "the skewed worker's clock is \(logged) s off, not \(skew)")

        // The skewed worker's claimer asks when the next job is due only after a claim found
        // nothing: once that is its last statement, it has looked at the live lease and left it.
        try waitUntil("the skewed worker found nothing to claim") {
            (try? s.stack.database.sessions(of: skewedName, where: "query LIKE '%min(lease_until) + 1%'")) == 1
        }
        #expect(try s.stack.sql("SELECT attempts || ' ' || \(Self.holder(exact, skewed)) || ' ' || (CASE WHEN lease_until >= \(dbNow) "
                                + "THEN 'alive' ELSE 'expired' END) \(job)") == "1 exact alive")

        // The holder dies: its lease ends when the database's clock passes it, and the skewed
        // worker takes the job then, not before and not ten minutes later.
        kill(exact.pid, SIGKILL)
        try waitUntil("the killed worker gone") { !exact.isRunning }
        let deadLease = try s.stack.sql("SELECT lease_until \(job)")
        try s.stack.waitForSQL("SELECT attempts || ' ' || \(Self.holder(exact, skewed)) \(job)", toBe: "2 skewed", timeout: 30)
        #expect(try s.stack.sql("SELECT count(*) \(job) AND updated_at > \(deadLease) AND updated_at <= \(dbNow)") == "1",
                "re-claimed after the dead lease ended at \(deadLease), by the database's clock")
        // The skewed worker's own lease is as long as it asked, by the database's clock.
        let leaseLeft = try s.stack.sql("SELECT lease_until - \(dbNow) \(job)")
        #expect((0...Self.lease + 1).contains(Int64(leaseLeft) ?? -1), "the lease ends \(leaseLeft) s from now")

        // The 6-minute window is judged on the skewed worker's own clock: the answer ends in the
        // stream, nothing goes to the response_url.
        #expect(gate.waitForWaiters(1, timeout: 10))
        gate.openAll()
        let final = try s.wecom.final(streamID: streamID)
        #expect(final["content"] as? String == chunks.joined())
        #expect(try s.job(stream: streamID) == "done|2|")
        #expect(s.dify.postedResponses.isEmpty)
    }

    /// The environment that runs a process on a clock `offset` seconds off: libfaketime preloaded
    /// (what `faketime -f +600` sets up, without the `faketime` process in between, so the pid
    /// is the worker's), monotonic clocks left alone.
    static func clock(offset: Int) throws -> [String: String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []
        guard folders.contains(where: { FileManager.default.fileExists(atPath: "/usr/lib/\($0)/faketime/libfaketime.so.1") })
        else { throw FixtureError("libfaketime is missing: scripts/install-deps.sh installs the faketime package") }
        return ["LD_PRELOAD": "/usr/$LIB/faketime/libfaketime.so.1", "FAKETIME": String(format: "%+d", offset),
                "FAKETIME_DONT_FAKE_MONOTONIC": "1"]
    }

    /// SQL naming the job's lease holder `exact` or `skewed` (a worker's claims carry
    /// `host:pid:claim`), else the owner as it is.
    static func holder(_ exact: ChildProcess, _ skewed: ChildProcess) -> String {
        "(CASE WHEN lease_owner LIKE '%:\(exact.pid):%' THEN 'exact' WHEN lease_owner LIKE '%:\(skewed.pid):%' THEN 'skewed' "
            + "ELSE coalesce(lease_owner, '-') END)"
    }

    /// The time of the first line `process` logged, in unix seconds (the lines start with
    /// `YYYY-MM-DDTHH:MM:SS±hhmm`, on the process's clock).
    static func firstLogTime(_ process: ChildProcess) throws -> Int? {
        guard let stamp = process.log.firstMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssZ"
        return formatter.date(from: String(stamp.output)).map { Int($0.timeIntervalSince1970) }
    }
}
