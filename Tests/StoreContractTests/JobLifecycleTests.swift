import BotStore
import StoreTestSupport
import Testing

/// A worker holding a job: progress, retry, and the two ways to finish it.
@Suite struct JobLifecycleTests {
    let t0: Int64 = 1_700_000_000
    let image = StreamImage(data: Fixtures.png, md5: Fixtures.pngMD5)

    @Test(arguments: Backend.allCases) func writeProgressUpdatesContentAndRenewsTheLease(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.writeProgress(jobID: id, owner: "w1", content: "Hel", leaseUntil: t0 + 60, now: t0 + 5))
            let stream = try #require(try store.stream(id: "s1"))
            #expect(stream.content == "Hel")
            #expect(stream.state == .streaming)
            #expect(stream.updatedAt == t0 + 5)
            #expect(try store.jobMatches(id, state: "running", owner: "w1", leaseUntil: t0 + 60, attempts: 1,
                                         runAt: t0, lastError: nil, finishedAt: nil, updatedAt: t0 + 5))
            // The renewed lease holds off other workers until it expires.
            #expect(try store.claimJob(owner: "w2", now: t0 + 40, lease: 30) == nil)
            #expect(try store.renewLease(jobID: id, owner: "w1", leaseUntil: t0 + 90, now: t0 + 50))
            #expect(try store.claimJob(owner: "w2", now: t0 + 61, lease: 30) == nil)
            #expect(try store.claimJob(owner: "w2", now: t0 + 91, lease: 30)?.id == id)
        }
    }

    @Test(arguments: Backend.allCases) func finishDoneWritesTheAnswerAndAtMostTenImages(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            let images = (0..<12).map { StreamImage(data: Fixtures.png + [UInt8($0)], md5: "md5-\($0)") }
            let outcome = JobOutcome(kind: .done, content: "The answer", images: images)
            #expect(try store.finishJob(jobID: id, owner: "w1", outcome: outcome, now: t0 + 9))

            let stream = try #require(try store.stream(id: "s1"))
            #expect(stream == StreamSnapshot(id: "s1", state: .finished, content: "The answer", finished: true,
                                             images: Array(images.prefix(10)), createdAt: t0, updatedAt: t0 + 9))
            #expect(try store.count("streams", where: "finished_at = \(t0 + 9)") == 1)
            #expect(try store.jobMatches(id, state: "done", owner: nil, leaseUntil: nil, attempts: 1, runAt: t0,
                                         lastError: nil, finishedAt: t0 + 9, updatedAt: t0 + 9))
            #expect(try store.claimJob(owner: "w2", now: t0 + 999, lease: 30) == nil)
            #expect(try store.nextJobDue() == nil)
        }
    }

    @Test(arguments: Backend.allCases) func finishDeadFailsTheStreamAndDeadLettersTheJob(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.writeProgress(jobID: id, owner: "w1", content: "partial", leaseUntil: t0 + 30, now: t0 + 1))
            let outcome = JobOutcome(kind: .dead, content: "Sorry, that failed.", error: "dify: HTTP 500")
            #expect(try store.finishJob(jobID: id, owner: "w1", outcome: outcome, now: t0 + 4))

            let stream = try #require(try store.stream(id: "s1"))
            #expect(stream == StreamSnapshot(id: "s1", state: .failed, content: "Sorry, that failed.", finished: true,
                                             error: "dify: HTTP 500", createdAt: t0, updatedAt: t0 + 4))
            #expect(try store.jobMatches(id, state: "dead", owner: nil, leaseUntil: nil, attempts: 1, runAt: t0,
                                         lastError: "dify: HTTP 500", finishedAt: t0 + 4, updatedAt: t0 + 4))
        }
    }

    @Test(arguments: Backend.allCases) func retryRequeuesTheJobUntilItsRunAt(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.retryJob(jobID: id, owner: "w1", runAt: t0 + 60, error: "timeout", now: t0 + 5))
            #expect(try store.jobMatches(id, state: "queued", owner: nil, leaseUntil: nil, attempts: 1,
                                         runAt: t0 + 60, lastError: "timeout", finishedAt: nil, updatedAt: t0 + 5))
            // Requeued, it belongs to nobody.
            #expect(try !store.renewLease(jobID: id, owner: "w1", leaseUntil: t0 + 90, now: t0 + 6))
            #expect(try store.nextJobDue() == t0 + 60)
            #expect(try store.claimJob(owner: "w2", now: t0 + 59, lease: 30) == nil)
            let again = try #require(try store.claimJob(owner: "w2", now: t0 + 60, lease: 30))
            #expect(again.id == id)
            #expect(again.attempts == 2)
            #expect(try store.jobMatches(id, state: "running", owner: "w2", leaseUntil: t0 + 90, attempts: 2,
                                         runAt: t0 + 60, lastError: "timeout", finishedAt: nil, updatedAt: t0 + 60))
        }
    }

    /// The 6-minute window: the stream closes early, the job keeps running, and finishing it
    /// later leaves the closed stream as the user saw it.
    @Test(arguments: Backend.allCases) func closedStreamKeepsItsCloseTimeAndRecordsTheFullAnswer(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try #require(try store.claimJob(owner: "w1", now: t0, lease: 400))
            #expect(try store.writeProgress(jobID: id, owner: "w1", content: "partial", leaseUntil: t0 + 400, now: t0 + 1))
            #expect(try !store.closeStreamEarly(jobID: id, owner: "w2", content: "not mine", now: t0 + 359))
            #expect(try store.closeStreamEarly(jobID: id, owner: "w1", content: "Still working…", now: t0 + 360))
            let closed = StreamSnapshot(id: "s1", state: .finished, content: "Still working…", finished: true,
                                        createdAt: t0, updatedAt: t0 + 360)
            #expect(try store.stream(id: "s1") == closed)
            #expect(try store.jobMatches(id, state: "running", owner: "w1", leaseUntil: t0 + 400, attempts: 1,
                                         runAt: t0, lastError: nil, finishedAt: nil, updatedAt: t0 + 1))

            #expect(try store.writeProgress(jobID: id, owner: "w1", content: "more", leaseUntil: t0 + 500, now: t0 + 370))
            #expect(try store.closeStreamEarly(jobID: id, owner: "w1", content: "closed twice", now: t0 + 371))
            #expect(try store.stream(id: "s1") == closed)
            #expect(try store.count("jobs", where: "lease_until = \(t0 + 500)") == 1)

            let outcome = JobOutcome(kind: .done, content: "The answer", images: [image])
            #expect(try store.finishJob(jobID: id, owner: "w1", outcome: outcome, now: t0 + 380))
            let recorded = StreamSnapshot(id: "s1", state: .finished, content: "The answer", finished: true,
                                          images: [image], createdAt: t0, updatedAt: t0 + 380)
            #expect(try store.stream(id: "s1") == recorded)
            #expect(try store.count("streams", where: "finished_at = \(t0 + 360) AND error IS NULL") == 1)
            #expect(try store.count("stream_images", where: "TRUE") == 1)
            #expect(try store.jobMatches(id, state: "done", owner: nil, leaseUntil: nil, attempts: 1, runAt: t0,
                                         lastError: nil, finishedAt: t0 + 380, updatedAt: t0 + 380))
        }
    }
}
