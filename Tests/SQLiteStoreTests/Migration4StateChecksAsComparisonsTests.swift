import BotStore
import Foundation
import StoreTestSupport
import Testing
@testable import SQLiteStore

/// Version 4: the state constraints of streams and jobs no longer use IN lists, which SQLite
/// evaluates with a temporary B-tree on every insert, and they still refuse unknown states.
@Suite struct Migration4StateChecksAsComparisonsTests {
    /// The opcodes of `sql` as `EXPLAIN` lists them on `store`'s connection, freshly prepared
    /// (listing a program does not run it, so a cached one would not notice a schema change).
    func opcodes(_ sql: String, on store: SQLiteStore) throws -> [String] {
        let statement = try store.connection.makeStatement("EXPLAIN " + sql)
        defer { statement.reset() }
        var names: [String] = []
        while try statement.step() { names.append(statement.text(1)) }
        return names
    }

    static let inserts = [
        "INSERT INTO streams(id, botid, aibotid, msgid, msgtype, userid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "INSERT INTO jobs(stream_id, state, payload, run_at, created_at, updated_at) VALUES (?, 'queued', ?, ?, ?, ?)",
        "UPDATE jobs SET state = ? WHERE id = ?",
    ]

    @Test func insertsNoLongerBuildATemporaryBTree() throws {
        try withMigratedStore { store, _ throws in
            for sql in Self.inserts {
                #expect(!(try opcodes(sql, on: store)).contains("OpenEphemeral"), "\(sql)")
            }
            #expect(try store.scalarInt("SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%state IN (%'") == 0)
            #expect(try store.integrityCheck() == "ok")
        }
    }

    @Test func theConstraintsStillRefuseUnknownStates() throws {
        try withMigratedStore { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 1_700_000_000)
            #expect(throws: SQLiteError.self) { try store.execute("UPDATE jobs SET state = 'lost'") }
            #expect(throws: SQLiteError.self) { try store.execute("UPDATE streams SET state = 'gone'") }
            for state in ["running", "done", "dead", "queued"] {
                try store.execute("UPDATE jobs SET state = '\(state)'")
            }
            for state in ["streaming", "finished", "failed", "pending"] {
                try store.execute("UPDATE streams SET state = '\(state)'")
            }
            #expect(try store.scalarInt("SELECT count(*) FROM jobs WHERE state = 'queued'") == 1)
        }
    }

    /// A version-3 file with rows, and a second connection that had it open (as another process
    /// would): after the migration both use the new constraints, and the rows are intact.
    @Test func aVersionThreeFileIsRewrittenAndOtherConnectionsFollow() throws {
        try withTemporaryDatabase { path throws in
            let old = try SQLiteStore(path: path)
            defer { old.close() }
            try old.migrate(upTo: 3)
            _ = try old.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 1_700_000_000)
            #expect(try opcodes(Self.inserts[1], on: old).contains("OpenEphemeral"), "the old constraint, as measured")

            let migrating = try SQLiteStore(path: path)
            defer { migrating.close() }
            try migrating.migrate()
            #expect(try migrating.scalarInt("PRAGMA user_version") == Int64(Schema.latestVersion))
            #expect(try migrating.scalarInt("SELECT count(*) FROM jobs") == 1)

            // The connection that was open before prepared its insert statements with the old
            // schema; they notice the new one when they next run, and so does everything after.
            _ = try old.acceptMessage(.mock(msgID: "m2", streamID: "s2"), now: 1_700_000_001)
            #expect(!(try opcodes(Self.inserts[1], on: old)).contains("OpenEphemeral"))
            #expect(try old.scalarInt("SELECT count(*) FROM jobs") == 2)
            #expect(try old.integrityCheck() == "ok")
        }
    }

    /// A SQLite built with SQLITE_DBCONFIG_DEFENSIVE on refuses writes to sqlite_schema: the
    /// migration still reaches the latest version, keeping the old constraints (correct, only slower).
    @Test func aDefensiveBuildKeepsTheOldConstraintsAndStillMigrates() throws {
        try withDefensivelyMigratedStore { store throws in
            #expect(try store.scalarInt("PRAGMA user_version") == Int64(Schema.latestVersion))
            #expect(try store.scalarInt("SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%state IN (%'") == 2)
            #expect(try opcodes(Self.inserts[1], on: store).contains("OpenEphemeral"))
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 1_700_000_000)
            #expect(throws: SQLiteError.self) { try store.execute("UPDATE jobs SET state = 'lost'") }
            #expect(try store.integrityCheck() == "ok")
        }
    }
}
