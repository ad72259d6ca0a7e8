import BotStore
import Foundation
import StoreTestSupport
import Testing
@testable import SQLiteStore

/// Version 5: a new message writes six B-tree pages instead of eight, and deleting a stream
/// still takes its message along.
@Suite struct Migration5FewerIndexesTests {
    let t0: Int64 = 1_700_000_000

    /// The pages one new message puts in the WAL, on a small database (every table and index
    /// one leaf page, so one page per B-tree touched).
    func walPagesOfOneNewMessage(_ store: SQLiteStore, n: Int) throws -> Int {
        _ = try store.checkpoint()
        _ = try store.acceptMessage(.mock(msgID: "m\(n)", streamID: "s\(n)"), now: t0 + Int64(n))
        return try store.backgroundCheckpoint().logPages
    }

    func schemaObjects(_ store: SQLiteStore) throws -> Set<String> {
        try store.connection.withStatement("SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger')") { row in
            var names: Set<String> = []
            while try row.step() { names.insert(row.text(0)) }
            return names
        }
    }

    @Test func aNewMessageWritesSixPages() throws {
        try withMigratedStore { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m0", streamID: "s0"), now: t0)
            #expect(try walPagesOfOneNewMessage(store, n: 1) == 6)
            #expect(try walPagesOfOneNewMessage(store, n: 2) == 6)
        }
    }

    /// A version-4 file with rows, and a connection that had it open (as another process would):
    /// after the migration both write six pages per message, and deleting a stream by hand
    /// still deletes its message.
    @Test func aVersionFourFileIsTrimmedAndOtherConnectionsFollow() throws {
        try withTemporaryDatabase { path throws in
            let old = try SQLiteStore(path: path)
            defer { old.close() }
            try old.migrate(upTo: 4)
            _ = try old.acceptMessage(.mock(msgID: "m0", streamID: "s0"), now: t0)
            #expect(try walPagesOfOneNewMessage(old, n: 1) == 8, "the version-4 schema, as measured")

            let migrating = try SQLiteStore(path: path)
            defer { migrating.close() }
            try migrating.migrate()
            #expect(try migrating.scalarInt("PRAGMA user_version") == Int64(Schema.latestVersion))
            let objects = try schemaObjects(migrating)
            #expect(!objects.contains("streams_created") && !objects.contains("messages_stream"))
            #expect(objects.contains("streams_delete_message"))
            #expect(try migrating.scalarInt("SELECT count(*) FROM pragma_foreign_key_list('messages')") == 0)

            #expect(try walPagesOfOneNewMessage(old, n: 2) == 6)
            try old.execute("DELETE FROM streams WHERE id = 's1'")
            #expect(try old.scalarInt("SELECT count(*) FROM messages WHERE msgid = 'm1'") == 0)
            #expect(try old.scalarInt("SELECT count(*) FROM jobs WHERE stream_id = 's1'") == 0)
            #expect(try old.scalarInt("SELECT count(*) FROM messages") == 2)
            #expect(try old.integrityCheck() == "ok")
        }
    }

    /// The trigger deletes by primary key: no statement of it scans `messages`.
    @Test func deletingAStreamLooksUpItsMessageByPrimaryKey() throws {
        try withMigratedStore { store, _ throws in
            let plan = try store.queryPlan("DELETE FROM messages WHERE aibotid = ? AND msgid = ? AND stream_id = ?")
            #expect(plan == ["SEARCH messages USING PRIMARY KEY (aibotid=? AND msgid=?)"])
        }
    }

    /// Where sqlite_schema cannot be written, the foreign key and its index stay; the migration
    /// still completes and the purge still counts and removes messages.
    @Test func aDefensiveBuildKeepsTheForeignKeyAndItsIndex() throws {
        try withDefensivelyMigratedStore { store throws in
            #expect(try store.scalarInt("PRAGMA user_version") == Int64(Schema.latestVersion))
            let objects = try schemaObjects(store)
            #expect(objects.contains("messages_stream") && !objects.contains("streams_delete_message"))
            #expect(!objects.contains("streams_created"))
            #expect(try store.scalarInt("SELECT count(*) FROM pragma_foreign_key_list('messages')") == 1)
            try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 1)
            #expect(try store.purge(olderThan: t0 + 10, batch: 10) == PurgeCounts(streams: 1, messages: 1, jobs: 1, batches: 1))
            #expect(try store.scalarInt("SELECT count(*) FROM messages") == 0)
            #expect(try store.integrityCheck() == "ok")
        }
    }
}
