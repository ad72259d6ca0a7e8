import BotStore
import StoreTestSupport
import Testing

/// The operator's read side: `statusReport`, `streamDetail`, `jobs`.
@Suite struct OperatorStatusTests {
    let t0: Int64 = 1_700_000_000

    @Test(arguments: Backend.allCases) func emptyDatabaseReportsZerosForEveryState(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let report = try store.statusReport(now: t0)
            #expect(report == StatusReport(jobs: [.queued: 0, .running: 0, .done: 0, .dead: 0],
                                           streams: [.pending: 0, .streaming: 0, .finished: 0, .failed: 0],
                                           oldestQueuedAge: nil, dueJobs: 0, expiredLeases: 0))
            #expect(try store.schemaVersion() == backend.latestSchemaVersion)
        }
    }

    @Test(arguments: Backend.allCases) func countsEveryStateTheOldestQueuedAgeAndExpiredLeases(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.enqueue(1, at: t0)
            try store.enqueue(2, at: t0 + 10)
            let backedOff = try store.enqueue(3, at: t0 + 20)
            _ = try store.claimJob(owner: "w3", now: t0 + 20, lease: 30)   // s1, lease to t0+50
            _ = try store.claimJob(owner: "w4", now: t0 + 20, lease: 100)  // s2, renewed below to t0+120
            _ = try store.claimJob(owner: "w5", now: t0 + 20, lease: 30)   // s3, backed off below to t0+500
            #expect(try store.retryJob(jobID: backedOff, owner: "w5", runAt: t0 + 500, error: "busy", now: t0 + 21))
            _ = try store.writeProgress(jobID: try #require(try store.scalarInt("SELECT id FROM jobs WHERE stream_id = 's2'")),
                                        owner: "w4", content: "partial", leaseUntil: t0 + 120, now: t0 + 21)
            try store.enqueue(4, at: t0 + 30)
            try store.completeJob(5, .done, queuedAt: t0 + 1, finishedAt: t0 + 5)
            try store.completeJob(6, .dead, queuedAt: t0 + 2, finishedAt: t0 + 6)
            try store.completeJob(7, .dead, queuedAt: t0 + 3, finishedAt: t0 + 7)

            let report = try store.statusReport(now: t0 + 100)
            #expect(report.jobs == [.queued: 2, .running: 2, .done: 1, .dead: 2])
            #expect(report.streams == [.pending: 3, .streaming: 1, .finished: 1, .failed: 2])
            #expect(report.oldestQueuedAge == 80)    // s4 (t0+30) and s3 (created t0+20): s3 is older
            #expect(report.dueJobs == 1)             // s4; s3 waits until t0+500
            #expect(report.expiredLeases == 1)       // s1's lease ended at t0+50; s2's runs to t0+120
            #expect(report.deadJobs == 2)
        }
    }

    @Test(arguments: Backend.allCases) func streamDetailJoinsTheJobAndCountsImages(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 9, images: 3)
            let detail = try #require(try store.streamDetail(id: "s1"))
            #expect(detail.state == .finished && detail.finished)
            #expect(detail.content == "answer 1")
            #expect(detail.imageCount == 3)
            #expect(detail.msgID == "m1" && detail.userID == "u1" && detail.aibotID == "aibot-1")
            #expect(detail.responseURL == "https://example.invalid/response/m1")
            #expect(detail.createdAt == t0 && detail.updatedAt == t0 + 9 && detail.finishedAt == t0 + 9)
            #expect(detail.job == JobSummary(id: id, streamID: "s1", state: .done, attempts: 1, maxAttempts: 3,
                                             runAt: t0, leaseOwner: nil, leaseUntil: nil, lastError: nil,
                                             createdAt: t0, updatedAt: t0 + 9, finishedAt: t0 + 9))
            #expect(try store.streamDetail(id: "nope") == nil)
        }
    }

    @Test(arguments: Backend.allCases) func jobsAreListedNewestFirstFilteredAndLimited(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let first = try store.completeJob(1, .dead, queuedAt: t0, finishedAt: t0 + 1)
            let second = try store.enqueue(2, at: t0 + 100)   // not yet due: the claims below skip it
            let third = try store.completeJob(3, .dead, queuedAt: t0 + 3, finishedAt: t0 + 4)
            #expect(try store.jobs(state: nil, limit: 10).map(\.id) == [third, second, first])
            #expect(try store.jobs(state: .dead, limit: 10).map(\.id) == [third, first])
            #expect(try store.jobs(state: .dead, limit: 1).map(\.id) == [third])
            #expect(try store.jobs(state: .running, limit: 10).isEmpty)
            let dead = try #require(try store.jobs(state: .dead, limit: 1).first)
            #expect(dead.lastError == "dify: HTTP 500" && dead.attempts == 1 && dead.finishedAt == t0 + 4)
        }
    }
}
