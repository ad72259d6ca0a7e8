import Foundation
import BotStore
@testable import SQLiteStore
import StoreTestSupport
import Testing

/// What `purge` does on SQLite alone: the rowid walk, and the checkpoint after it. The
/// backend-neutral purge tests are in StoreContractTests.
@Suite struct PurgeTests {
    let t0: Int64 = 1_700_000_000

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
