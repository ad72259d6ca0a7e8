import BotStore
import StoreTestSupport
import Testing

/// `purge`: old finished rows go, in batches; queued and running work and recent rows stay.
@Suite struct PurgeTests {
    let t0: Int64 = 1_700_000_000

    @Test(arguments: Backend.allCases) func removesOnlyOldFinishedStreamsWithEverythingTheyOwn(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 10, images: 2)   // old: goes
            try store.completeJob(2, .dead, queuedAt: t0 + 1, finishedAt: t0 + 20)          // old: goes
            try store.completeJob(3, .done, queuedAt: t0 + 2, finishedAt: t0 + 1000)        // recent: stays
            try store.enqueue(4, at: t0 + 3)                                                // queued: stays
            let running = try store.enqueue(5, at: t0 + 4)
            _ = try store.claimJob(owner: "w9", now: t0 + 900, lease: 30)                   // claims s4
            _ = try store.claimJob(owner: "w9", now: t0 + 900, lease: 30)                   // claims s5
            // s5 closed early at the deadline while its job keeps running: stays.
            #expect(try store.closeStreamEarly(jobID: running, owner: "w9", content: "still working", now: t0 + 5))

            let counts = try store.purge(olderThan: t0 + 500, batch: 500)
            #expect(counts == PurgeCounts(streams: 2, messages: 2, images: 2, jobs: 2, batches: 1))
            #expect(try store.count("streams", where: "TRUE") == 3)
            #expect(try store.count("streams", where: "id IN ('s3', 's4', 's5')") == 3)
            #expect(try store.count("messages", where: "TRUE") == 3)
            #expect(try store.count("jobs", where: "TRUE") == 3)
            #expect(try store.count("stream_images", where: "TRUE") == 0)
            // Nothing left to do the second time.
            #expect(try store.purge(olderThan: t0 + 500, batch: 500) == PurgeCounts())
        }
    }

    @Test(arguments: Backend.allCases) func worksInBatchesOfTheGivenSize(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            for n in 1...7 { try store.completeJob(n, .done, queuedAt: t0 + Int64(n), finishedAt: t0 + 50) }
            let counts = try store.purge(olderThan: t0 + 100, batch: 3)
            #expect(counts == PurgeCounts(streams: 7, messages: 7, images: 0, jobs: 7, batches: 3))
            #expect(try store.count("streams", where: "TRUE") == 0)
        }
    }

    @Test(arguments: Backend.allCases) func aStreamFinishedEarlyStaysWhileItsJobFinishedRecently(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try store.claimJob(owner: "w1", now: t0, lease: 3000)
            #expect(try store.closeStreamEarly(jobID: id, owner: "w1", content: "still working", now: t0 + 330))
            #expect(try store.finishJob(jobID: id, owner: "w1", outcome: JobOutcome(kind: .done, content: "x"), now: t0 + 900))
            #expect(try store.purge(olderThan: t0 + 600, batch: 10) == PurgeCounts())
            #expect(try store.purge(olderThan: t0 + 901, batch: 10).streams == 1)
        }
    }

    /// Old streams that must stay (queued, running) between purgeable ones: each batch goes on
    /// after the last stream the previous one took, and skips them.
    @Test(arguments: Backend.allCases) func batchesSkipTheStreamsThatStay(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            for n in 1...5 { try store.completeJob(n, .done, queuedAt: t0 + Int64(n), finishedAt: t0 + 10) }
            try store.execute("UPDATE jobs SET state = 'queued' WHERE stream_id IN ('s2', 's4')")   // retried: stay
            let counts = try store.purge(olderThan: t0 + 100, batch: 1)
            #expect(counts == PurgeCounts(streams: 3, messages: 3, images: 0, jobs: 3, batches: 3))
            #expect(try store.count("streams", where: "id IN ('s2', 's4')") == 2)
            #expect(try store.count("streams", where: "TRUE") == 2)
            #expect(try store.count("messages", where: "msgid IN ('m2', 'm4')") == 2)
        }
    }
}
