import BotStore
import StoreTestSupport
import Testing

/// Which job `claimJob` hands out, when, and what it records.
@Suite struct ClaimTests {
    let t0: Int64 = 1_700_000_000

    @Test(arguments: Backend.allCases) func emptyQueueClaimsNothing(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            #expect(try store.claimJob(owner: "w1", now: t0, lease: 30) == nil)
            #expect(try store.nextJobDue() == nil)
        }
    }

    @Test(arguments: Backend.allCases) func claimLeasesTheJobAndReturnsItsStreamFields(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            let claimed = try store.claimJob(owner: "w1", now: t0 + 2, lease: 30)
            let message = NewMessage.mock(msgID: "m1", streamID: "s1")
            #expect(claimed == ClaimedJob(id: id, streamID: "s1", payload: message.payload, attempts: 1, maxAttempts: 3,
                                          botID: "bot-1", aibotID: "aibot-1", agent: "default", chatID: nil,
                                          userID: "u1", responseURL: message.responseURL, messageAt: t0,
                                          leaseUntil: t0 + 32))
            #expect(try store.jobMatches(id, state: "running", owner: "w1", leaseUntil: t0 + 32, attempts: 1,
                                         runAt: t0, lastError: nil, finishedAt: nil, updatedAt: t0 + 2))
            #expect(try store.claimJob(owner: "w2", now: t0 + 2, lease: 30) == nil)
            #expect(try store.claimJob(owner: "w1", now: t0 + 2, lease: 30) == nil)
        }
    }

    @Test(arguments: Backend.allCases) func claimsByRunAtThenByID(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.enqueue(1, at: t0 + 2)
            try store.enqueue(2, at: t0)
            try store.enqueue(3, at: t0 + 1)
            try store.enqueue(4, at: t0)
            var order: [String] = []
            while let job = try store.claimJob(owner: "w1", now: t0 + 5, lease: 30) { order.append(job.streamID) }
            #expect(order == ["s2", "s4", "s3", "s1"])
            #expect(try store.count("jobs", where: "state = 'running' AND attempts = 1") == 4)
        }
    }

    @Test(arguments: Backend.allCases) func futureRunAtIsClaimedOnlyOnceDue(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.enqueue(1, at: t0 + 10)
            #expect(try store.claimJob(owner: "w1", now: t0 + 9, lease: 30) == nil)
            #expect(try store.count("jobs", where: "state = 'queued' AND attempts = 0") == 1)
            #expect(try store.claimJob(owner: "w1", now: t0 + 10, lease: 30)?.streamID == "s1")
        }
    }

    /// An expired lease competes with queued jobs by the time each became due.
    @Test(arguments: Backend.allCases) func expiredLeaseIsClaimedBeforeLaterDueQueuedJobs(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.enqueue(1, at: t0)
            #expect(try store.claimJob(owner: "w1", now: t0, lease: 10)?.streamID == "s1")
            try store.enqueue(2, at: t0 + 20)
            try store.enqueue(3, at: t0 + 5)
            let order = try (0..<4).map { _ in try store.claimJob(owner: "w2", now: t0 + 30, lease: 100)?.streamID }
            #expect(order == ["s3", "s1", "s2", nil])
            #expect(try store.count("jobs", where: "stream_id = 's1' AND attempts = 2 AND lease_owner = 'w2'") == 1)
        }
    }

    /// The sleeping worker's alarm: at `nextJobDue()` a claim succeeds, a second earlier it does not.
    @Test(arguments: Backend.allCases) func nextJobDueIsTheFirstTimeAClaimSucceeds(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.enqueue(1, at: t0 + 5)
            try store.enqueue(2, at: t0 + 3)
            #expect(try store.nextJobDue() == t0 + 3)
            #expect(try store.claimJob(owner: "w1", now: t0 + 3, lease: 100)?.streamID == "s2")
            #expect(try store.nextJobDue() == t0 + 5)
            #expect(try store.claimJob(owner: "w1", now: t0 + 5, lease: 10)?.streamID == "s1")
            // s1's lease covers t0 + 15; it is due again one second later, before s2's.
            #expect(try store.nextJobDue() == t0 + 16)
            #expect(try store.claimJob(owner: "w2", now: t0 + 15, lease: 10) == nil)
            let reclaimed = try #require(try store.claimJob(owner: "w2", now: t0 + 16, lease: 10))
            #expect(reclaimed.streamID == "s1")
            #expect(try store.nextJobDue() == t0 + 27)
            #expect(try store.finishJob(jobID: reclaimed.id, owner: "w2", outcome: JobOutcome(kind: .done, content: "a"),
                                        now: t0 + 17))
            #expect(try store.nextJobDue() == t0 + 104)
        }
    }
}
