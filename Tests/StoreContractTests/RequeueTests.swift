import BotStore
import StoreTestSupport
import Testing

/// `requeueJob`: an operator puts a finished job back in the queue.
@Suite struct RequeueTests {
    let t0: Int64 = 1_700_000_000

    @Test(arguments: Backend.allCases) func deadJobIsQueuedAgainWithItsStreamReopened(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.completeJob(1, .dead, queuedAt: t0, finishedAt: t0 + 5)
            #expect(try store.requeueJob(id: id, now: t0 + 100) == .requeued(from: .dead, streamID: "s1"))
            #expect(try store.jobMatches(id, state: "queued", owner: nil, leaseUntil: nil, attempts: 0, runAt: t0 + 100,
                                         lastError: "dify: HTTP 500", finishedAt: nil, updatedAt: t0 + 100))
            let stream = try #require(try store.stream(id: "s1"))
            #expect(stream == StreamSnapshot(id: "s1", state: .pending, content: "", finished: false,
                                             createdAt: t0, updatedAt: t0 + 100))
            #expect(try store.count("streams", where: "finished_at IS NULL") == 1)
            // A worker claims it as a first attempt and can finish it normally.
            let claimed = try #require(try store.claimJob(owner: "w2", now: t0 + 100, lease: 30))
            #expect(claimed.id == id && claimed.attempts == 1)
            #expect(try store.finishJob(jobID: id, owner: "w2", outcome: JobOutcome(kind: .done, content: "ok"), now: t0 + 101))
            #expect(try store.stream(id: "s1")?.content == "ok")
        }
    }

    @Test(arguments: Backend.allCases) func doneJobLosesItsImagesWhenRequeued(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 5, images: 2)
            #expect(try store.requeueJob(id: id, now: t0 + 50) == .requeued(from: .done, streamID: "s1"))
            #expect(try store.count("stream_images", where: "TRUE") == 0)
            #expect(try store.statusReport(now: t0 + 50).dueJobs == 1)
        }
    }

    @Test(arguments: Backend.allCases) func queuedRunningAndUnknownJobsAreLeftAlone(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let queued = try store.enqueue(1, at: t0)
            let running = try store.enqueue(2, at: t0 + 1)
            _ = try store.claimJob(owner: "w1", now: t0 + 1, lease: 30)   // claims s1
            #expect(try store.requeueJob(id: queued, now: t0 + 2) == .notRetryable(.running))
            #expect(try store.requeueJob(id: running, now: t0 + 2) == .notRetryable(.queued))
            #expect(try store.requeueJob(id: 999, now: t0 + 2) == .notFound)
            #expect(try store.jobMatches(queued, state: "running", owner: "w1", leaseUntil: t0 + 31, attempts: 1,
                                         runAt: t0, lastError: nil, finishedAt: nil, updatedAt: t0 + 1))
        }
    }
}
