import BotStore
import StoreTestSupport
import Testing

/// Worker heartbeats: a row per running worker, updated with each beat, live until three of its
/// periods pass without one, deleted at a clean stop, and forgotten a day after it fell silent.
@Suite struct WorkerHeartbeatTests {
    let t0: Int64 = 1_700_000_000
    let a = ConnectionHolder(host: "host-a", pid: 101, nonce: "n1")
    let b = ConnectionHolder(host: "host:b", pid: 202, nonce: "n2")

    func beat(_ worker: ConnectionHolder, busy: Int = 0, period: Double = 5) -> WorkerHeartbeat {
        WorkerHeartbeat(worker: worker, concurrency: 4, busy: busy, period: period)
    }

    @Test(arguments: Backend.allCases) func aBeatRecordsTheWorkerAndLaterBeatsUpdateIt(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            #expect(try store.workerStatuses(now: t0) == [])
            try store.recordHeartbeat(beat(a), now: t0)
            #expect(try store.workerStatuses(now: t0) == [WorkerStatus(
                workerID: "host-a:101:n1", host: "host-a", pid: 101, concurrency: 4, busy: 0, period: 5,
                startedAt: t0, lastSeen: t0)])

            try store.recordHeartbeat(beat(a, busy: 3), now: t0 + 5)
            try store.recordHeartbeat(beat(a, busy: 3), now: t0 + 5)   // repeatable
            let updated = try #require(try store.workerStatuses(now: t0 + 5).first)
            #expect(updated.busy == 3)
            #expect(updated.startedAt == t0, "the first beat's time stays")
            #expect(updated.lastSeen == t0 + 5)
            #expect(try store.count("worker_heartbeats", where: "TRUE") == 1)
        }
    }

    /// Most recently seen first; a host with colons and a fractional period read back whole.
    @Test(arguments: Backend.allCases) func everyWorkerIsListedMostRecentlySeenFirst(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.recordHeartbeat(beat(b, busy: 1, period: 0.5), now: t0)
            try store.recordHeartbeat(beat(a), now: t0 + 3)
            let workers = try store.workerStatuses(now: t0 + 3)
            #expect(workers.map(\.workerID) == ["host-a:101:n1", "host:b:202:n2"])
            #expect(workers.last?.host == "host:b")
            #expect(workers.last?.period == 0.5)
            #expect(workers.last.map { ConnectionHolder(id: $0.workerID) } == b)
        }
    }

    /// Live up to three periods after the last beat (rounded up to whole seconds), silent after.
    @Test(arguments: Backend.allCases) func aWorkerIsSilentThreePeriodsAfterItsLastBeat(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.recordHeartbeat(beat(a, period: 5), now: t0)
            try store.recordHeartbeat(beat(b, period: 0.5), now: t0)
            let live = { (now: Int64) in try store.workerStatuses(now: now).filter { $0.isLive(now: now) }.map(\.pid) }
            #expect(try live(t0) == [101, 202])
            #expect(try live(t0 + 2) == [101, 202])
            #expect(try live(t0 + 3) == [101])
            #expect(try live(t0 + 15) == [101])
            #expect(try live(t0 + 16) == [])
            try store.recordHeartbeat(beat(a, period: 5), now: t0 + 20)
            #expect(try live(t0 + 20) == [101], "a beat makes a silent worker live again")
        }
    }

    @Test(arguments: Backend.allCases) func aCleanStopDeletesTheRow(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.recordHeartbeat(beat(a), now: t0)
            try store.recordHeartbeat(beat(b), now: t0)
            #expect(try store.removeHeartbeat(workerID: a.id))
            #expect(try !store.removeHeartbeat(workerID: a.id), "already gone")
            #expect(try store.workerStatuses(now: t0).map(\.workerID) == [b.id])
        }
    }

    /// Any worker's beat deletes the rows of workers silent for more than a day, not younger ones.
    @Test(arguments: Backend.allCases) func aBeatForgetsWorkersSilentForADay(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.recordHeartbeat(beat(a), now: t0)
            try store.recordHeartbeat(beat(b), now: t0 + 10)
            let c = ConnectionHolder(host: "host-c", pid: 303, nonce: "n3")
            try store.recordHeartbeat(beat(c), now: t0 + WorkerLiveness.retention)
            #expect(try store.workerStatuses(now: t0 + WorkerLiveness.retention).count == 3, "a day to the second stays")
            try store.recordHeartbeat(beat(c), now: t0 + WorkerLiveness.retention + 1)
            #expect(try store.workerStatuses(now: t0 + WorkerLiveness.retention + 1).map(\.workerID) == [c.id, b.id])
        }
    }
}

/// The liveness rule alone.
@Suite struct WorkerLivenessTests {
    @Test func threePeriodsRoundedUpToWholeSeconds() {
        #expect(WorkerLiveness.silentAfter(period: 5) == 15)
        #expect(WorkerLiveness.silentAfter(period: 0.5) == 2)
        #expect(WorkerLiveness.silentAfter(period: 0.1) == 1)
        #expect(WorkerLiveness.isLive(lastSeen: 100, period: 5, now: 115))
        #expect(!WorkerLiveness.isLive(lastSeen: 100, period: 5, now: 116))
        #expect(WorkerLiveness.isLive(lastSeen: 100, period: 5, now: 90), "a beat stamped ahead of the reader's clock")
    }
}
