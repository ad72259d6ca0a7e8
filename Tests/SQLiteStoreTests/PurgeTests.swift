import Foundation
import BotStore
@testable import SQLiteStore
import Testing

/// `purge`: old finished rows go, in batches; queued and running work and recent rows stay.
@Suite struct PurgeTests {
    let t0: Int64 = 1_700_000_000

    @Test func removesOnlyOldFinishedStreamsWithEverythingTheyOwn() throws {
        try withMigratedStore { store, _ throws in
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
            #expect(try store.count("streams", where: "1") == 3)
            #expect(try store.count("streams", where: "id IN ('s3', 's4', 's5')") == 3)
            #expect(try store.count("messages", where: "1") == 3)
            #expect(try store.count("jobs", where: "1") == 3)
            #expect(try store.count("stream_images", where: "1") == 0)
            // Nothing left to do the second time.
            #expect(try store.purge(olderThan: t0 + 500, batch: 500) == PurgeCounts())
        }
    }

    @Test func worksInBatchesOfTheGivenSize() throws {
        try withMigratedStore { store, _ throws in
            for n in 1...7 { try store.completeJob(n, .done, queuedAt: t0 + Int64(n), finishedAt: t0 + 50) }
            let counts = try store.purge(olderThan: t0 + 100, batch: 3)
            #expect(counts == PurgeCounts(streams: 7, messages: 7, images: 0, jobs: 7, batches: 3))
            #expect(try store.count("streams", where: "1") == 0)
        }
    }

    @Test func aStreamFinishedEarlyStaysWhileItsJobFinishedRecently() throws {
        try withMigratedStore { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try store.claimJob(owner: "w1", now: t0, lease: 3000)
            #expect(try store.closeStreamEarly(jobID: id, owner: "w1", content: "still working", now: t0 + 330))
            #expect(try store.finishJob(jobID: id, owner: "w1", outcome: JobOutcome(kind: .done, content: "x"), now: t0 + 900))
            #expect(try store.purge(olderThan: t0 + 600, batch: 10) == PurgeCounts())
            #expect(try store.purge(olderThan: t0 + 901, batch: 10).streams == 1)
        }
    }

    @Test func checkpointTruncatesTheLog() throws {
        try withMigratedStore { store, path throws in
            try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 1)
            let result = try store.checkpoint()
            #expect(result.complete)
            let size = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
            #expect(size == 0)
        }
    }

    /// Streams are walked in rowid order within a rowid range, and their messages are counted
    /// through the primary key: no scan of a whole table, no sort.
    @Test func theWalkUsesRowidRangesAndPrimaryKeys() throws {
        try withMigratedStore { store, _ throws in
            try store.execute("CREATE TEMP TABLE purge_batch(id TEXT PRIMARY KEY, stream_rowid INTEGER NOT NULL) WITHOUT ROWID")
            let plan = try store.queryPlan(SQLiteStore.purgeableStreams)
            #expect(plan.first == "SEARCH s USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)", "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN") || $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    /// Old streams that must stay (queued, running) between purgeable ones: each batch goes on
    /// after the last stream the previous one took, and skips them.
    @Test func batchesSkipTheStreamsThatStay() throws {
        try withMigratedStore { store, _ throws in
            for n in 1...5 { try store.completeJob(n, .done, queuedAt: t0 + Int64(n), finishedAt: t0 + 10) }
            try store.execute("UPDATE jobs SET state = 'queued' WHERE stream_id IN ('s2', 's4')")   // retried: stay
            let counts = try store.purge(olderThan: t0 + 100, batch: 1)
            #expect(counts == PurgeCounts(streams: 3, messages: 3, images: 0, jobs: 3, batches: 3))
            #expect(try store.count("streams", where: "id IN ('s2', 's4')") == 2)
            #expect(try store.count("streams", where: "1") == 2)
            #expect(try store.count("messages", where: "msgid IN ('m2', 'm4')") == 2)
        }
    }

    /// A stream that committed after a younger one lies past the first young stream in rowid
    /// order: this purge leaves it, the next one (with a later cutoff) takes it.
    @Test func aStreamCommittedAfterAYoungerOneGoesWithTheNextPurge() throws {
        try withMigratedStore { store, _ throws in
            try store.completeJob(1, .done, queuedAt: t0 + 50, finishedAt: t0 + 60)   // young, committed first
            try store.completeJob(2, .done, queuedAt: t0 + 1, finishedAt: t0 + 5)     // old, committed after it
            // Only the old stream's finished job goes now (the job walk does not depend on rowids).
            #expect(try store.purge(olderThan: t0 + 10, batch: 10) == PurgeCounts(jobs: 1, batches: 1))
            #expect(try store.count("streams", where: "1") == 2)
            #expect(try store.purge(olderThan: t0 + 100, batch: 10) == PurgeCounts(streams: 2, messages: 2, jobs: 1, batches: 1))
        }
    }
}
