import BotStore
import StoreTestSupport
import Testing

/// A worker whose lease expired and whose job another worker re-claimed changes nothing.
@Suite struct LeaseGuardTests {
    let t0: Int64 = 1_700_000_000

    @Test(arguments: Backend.allCases) func expiredOwnerCanNoLongerWriteAfterAReclaim(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            let first = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.writeProgress(jobID: id, owner: "w1", content: "from w1", leaseUntil: t0 + 30, now: t0 + 1))

            // The lease covers t0 + 30 itself.
            #expect(try store.claimJob(owner: "w2", now: t0 + 30, lease: 30) == nil)
            let second = try #require(try store.claimJob(owner: "w2", now: t0 + 31, lease: 30))
            #expect(second.id == first.id)
            #expect(second.attempts == 2)
            #expect(second.leaseUntil == t0 + 61)

            let stream = try #require(try store.stream(id: "s1"))
            let image = StreamImage(data: Fixtures.png, md5: Fixtures.pngMD5)
            #expect(try !store.writeProgress(jobID: id, owner: "w1", content: "late", leaseUntil: t0 + 90, now: t0 + 32))
            #expect(try !store.renewLease(jobID: id, owner: "w1", leaseUntil: t0 + 90, now: t0 + 32))
            #expect(try !store.closeStreamEarly(jobID: id, owner: "w1", content: "closing", now: t0 + 32))
            #expect(try !store.retryJob(jobID: id, owner: "w1", runAt: t0 + 99, error: "w1 retry", now: t0 + 32))
            let outcome = JobOutcome(kind: .dead, content: "w1 failed", images: [image], error: "w1 error")
            #expect(try !store.finishJob(jobID: id, owner: "w1", outcome: outcome, now: t0 + 32))

            #expect(try store.stream(id: "s1") == stream)
            #expect(stream.content == "from w1")
            #expect(try store.count("streams", where: "finished_at IS NULL AND error IS NULL") == 1)
            #expect(try store.count("stream_images", where: "TRUE") == 0)
            #expect(try store.jobMatches(id, state: "running", owner: "w2", leaseUntil: t0 + 61, attempts: 2,
                                         runAt: t0, lastError: nil, finishedAt: nil, updatedAt: t0 + 31))
            // The new owner still holds it.
            #expect(try store.renewLease(jobID: id, owner: "w2", leaseUntil: t0 + 90, now: t0 + 33))
        }
    }

    @Test(arguments: Backend.allCases) func writesToUnknownOrSettledJobsReturnFalse(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let done = JobOutcome(kind: .done, content: "x")
            #expect(try !store.renewLease(jobID: 42, owner: "w1", leaseUntil: t0, now: t0))
            #expect(try !store.finishJob(jobID: 42, owner: "w1", outcome: done, now: t0))

            let id = try store.enqueue(1, at: t0)
            // Queued, never claimed: nobody owns it.
            #expect(try !store.writeProgress(jobID: id, owner: "w1", content: "x", leaseUntil: t0 + 30, now: t0))
            _ = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.finishJob(jobID: id, owner: "w1", outcome: done, now: t0 + 1))
            // Done: even its last owner can no longer touch it.
            #expect(try !store.finishJob(jobID: id, owner: "w1", outcome: done, now: t0 + 2))
            #expect(try !store.retryJob(jobID: id, owner: "w1", runAt: t0 + 5, error: "e", now: t0 + 2))
            #expect(try !store.renewLease(jobID: id, owner: "w1", leaseUntil: t0 + 60, now: t0 + 2))
            #expect(try store.jobMatches(id, state: "done", owner: nil, leaseUntil: nil, attempts: 1, runAt: t0,
                                         lastError: nil, finishedAt: t0 + 1, updatedAt: t0 + 1))
        }
    }
}
