import BotStore
import PostgresStore
import StoreTestSupport
import Testing

/// Hosts whose clocks are ten minutes off share one queue. Leases and due times are judged by
/// the database's clock, and what a host passes or gets back is on its own clock
/// (``DatabaseClock``). Bounds below are in minutes where the right answer is seconds: they tell
/// the two apart whatever the machine's speed.
@Suite struct ClockSkewTests {
    static let tenMinutes: Int64 = 600

    /// Runs `body` with a host on the right time and one `skew` seconds off, sharing a fresh
    /// schema, after the first accepted message `m1` (stream `s1`).
    private func withHosts(skew: Int64, _ body: (PostgresStore, PostgresStore) throws -> Void) throws {
        try withTaggedSchema { schema in
            let exact = try schema.openStore()
            let skewed = try schema.openStore(skew: skew)
            defer { exact.close(); skewed.close() }
            _ = try exact.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow())
            try body(exact, skewed)
        }
    }

    /// A worker ten minutes ahead sees every lease as long expired by its own clock: it must not
    /// take a live one, and the time it would sleep until is in its own near future.
    @Test func aWorkerAheadNeitherStealsALiveLeaseNorSleepsPastIt() throws {
        try withHosts(skew: Self.tenMinutes) { exact, ahead throws in
            let claimed = try #require(try exact.claimJob(owner: "exact", now: hostNow(), lease: 30))

            #expect(try ahead.claimJob(owner: "ahead", now: hostNow(skew: Self.tenMinutes), lease: 30) == nil)
            let wakeUp = try #require(try ahead.nextJobDue()) - hostNow(skew: Self.tenMinutes)
            #expect((0..<60).contains(wakeUp), "the lease ends \(wakeUp) s from now on the ahead host's clock")
            #expect(try exact.renewLease(jobID: claimed.id, owner: "exact", leaseUntil: hostNow() + 30, now: hostNow()))
        }
    }

    /// A worker ten minutes ahead claims a job: its lease lasts as long as asked, by the database's
    /// clock, so when the worker dies the job is re-claimed after that, not ten minutes later;
    /// and the message's time comes back on its own clock, so it does not think the 6-minute
    /// window long gone.
    @Test func aWorkerAheadKeepsNoDeadLeaseAndJudgesTheWindowOnItsOwnClock() throws {
        try withHosts(skew: Self.tenMinutes) { exact, ahead throws in
            let aheadNow = hostNow(skew: Self.tenMinutes)
            let claimed = try #require(try ahead.claimJob(owner: "ahead", now: aheadNow, lease: 1))
            #expect(claimed.leaseUntil == aheadNow + 1)
            #expect((0..<60).contains(aheadNow - claimed.messageAt), "message \(aheadNow - claimed.messageAt) s old")

            // The ahead worker dies; once its one-second lease has ended by the database's clock,
            // the exact host takes the job over.
            #expect(try eventually {
                try exact.count("jobs", where: "lease_until < floor(extract(epoch FROM now()))") == 1
            })
            let reclaimed = try #require(try exact.claimJob(owner: "exact", now: hostNow(), lease: 30))
            #expect(reclaimed.id == claimed.id && reclaimed.attempts == 2)
            #expect(try !ahead.renewLease(jobID: claimed.id, owner: "ahead", leaseUntil: hostNow(skew: Self.tenMinutes) + 30,
                                          now: hostNow(skew: Self.tenMinutes)))
        }
    }

    /// A worker ten minutes behind sees every lease as far in the future by its own clock: its own
    /// lease still protects the job from the others, and the retry it schedules "in 5 seconds" is
    /// 5 seconds away for everyone.
    @Test func aWorkerBehindHoldsItsLeaseAndSchedulesRetriesInEveryonesFrame() throws {
        try withHosts(skew: -Self.tenMinutes) { exact, behind throws in
            let claimed = try #require(try behind.claimJob(owner: "behind", now: hostNow(skew: -Self.tenMinutes), lease: 30))
            #expect(try exact.claimJob(owner: "exact", now: hostNow(), lease: 30) == nil, "the lease is alive")

            let behindNow = hostNow(skew: -Self.tenMinutes)
            #expect(try behind.retryJob(jobID: claimed.id, owner: "behind", runAt: behindNow + 5, error: "busy", now: behindNow))
            let due = try #require(try exact.nextJobDue()) - hostNow()
            #expect((-60..<60).contains(due), "the retry is due in \(due) s on the exact host's clock")
            #expect(try exact.claimJob(owner: "exact", now: hostNow(), lease: 30) == nil, "not due yet")
        }
    }

    /// The operator's view on a skewed host: ages and expiries by the database's clock, times on
    /// the host's own.
    @Test func theStatusOfASkewedHostIsTheDatabases() throws {
        try withHosts(skew: Self.tenMinutes) { exact, ahead throws in
            let report = try ahead.statusReport(now: hostNow(skew: Self.tenMinutes))
            #expect(report.dueJobs == 1 && report.expiredLeases == 0)
            #expect((0..<60).contains(try #require(report.oldestQueuedAge)))
            let detail = try #require(try ahead.streamDetail(id: "s1"))
            #expect((0..<60).contains(hostNow(skew: Self.tenMinutes) - detail.createdAt))
            #expect(detail.job?.runAt == detail.createdAt)
        }
    }

    /// A worker ten minutes behind beats: the operator's host on the right time sees it live and
    /// seen just now, and a worker ahead sees it live too. Its beat is stamped by the database.
    @Test func aSkewedWorkersHeartbeatIsStampedByTheDatabase() throws {
        try withHosts(skew: -Self.tenMinutes) { exact, behind throws in
            let worker = ConnectionHolder(host: "behind", pid: 7, nonce: "n")
            try behind.recordHeartbeat(WorkerHeartbeat(worker: worker, concurrency: 2, busy: 1, period: 5),
                                       now: hostNow(skew: -Self.tenMinutes))
            let seen = try #require(try exact.workerStatuses(now: hostNow()).first)
            #expect((0..<60).contains(hostNow() - seen.lastSeen), "seen \(hostNow() - seen.lastSeen) s ago")
            #expect(seen.isLive(now: hostNow()))
            let fromBehind = try #require(try behind.workerStatuses(now: hostNow(skew: -Self.tenMinutes)).first)
            #expect(fromBehind.isLive(now: hostNow(skew: -Self.tenMinutes)))
            #expect((0..<60).contains(hostNow(skew: -Self.tenMinutes) - fromBehind.startedAt))
        }
    }
}
