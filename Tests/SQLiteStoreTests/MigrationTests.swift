import BotStore
import Foundation
import StoreTestSupport
import Testing
@testable import SQLiteStore

/// SQLite's migrations and connection settings. The backend-neutral migration tests are in
/// StoreContractTests.
@Suite struct MigrationTests {
    /// Migration `n` is the n-th: `migrate(upTo:)` and `user_version` count on it.
    @Test func migrationsAreNumberedOneByOne() {
        #expect(Schema.migrations.map(\.version) == Array(1...Schema.migrations.count))
        #expect(Schema.latestVersion == 7)
    }

    /// A version-2 file (as the first release left it) loses the indexes the insert path no longer needs.
    @Test func versionTwoFileIsUpgraded() throws {
        try withTemporaryDatabase { path throws in
            let store = try SQLiteStore(path: path)
            defer { store.close() }
            try store.migrate(upTo: 5)
            try store.execute("CREATE INDEX messages_created ON messages(created_at); PRAGMA user_version = 2")
            try store.migrate()
            #expect(try store.scalarInt("PRAGMA user_version") == Int64(Schema.latestVersion))
            #expect(try store.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'messages_created'") == 0)
            #expect(try store.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'messages_stream'") == 0)
        }
    }

    @Test func connectionSettings() throws {
        try withMigratedStore { store, _ throws in
            #expect(try store.scalarInt("SELECT journal_mode = 'wal' FROM pragma_journal_mode") == 1)
            #expect(try store.scalarInt("PRAGMA synchronous") == 1)  // NORMAL
            #expect(try store.scalarInt("PRAGMA foreign_keys") == 1)
            #expect(try store.scalarInt("PRAGMA journal_size_limit") == 67_108_864)
        }
    }

    @Test func fileThatIsNotADatabaseFailsAtOpen() throws {
        try withTemporaryDatabase { path throws in
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try SQLiteStore(path: path)
            } throws: { error in
                guard let error = error as? SQLiteError else { return false }
                return error.code == SQLiteError.notADatabase
            }
        }
    }

    @Test func errorsCarryTheExtendedCodeMessageAndSQL() throws {
        try withMigratedStore { store, _ throws in
            let error = try #require(throws: SQLiteError.self) {
                try store.execute("INSERT INTO bots(botid) VALUES ('x')")
            }
            #expect(error.code.primary == SQLiteError.constraint)
            #expect(error.code != SQLiteError.constraint)  // extended: SQLITE_CONSTRAINT_NOTNULL
            #expect(SQLiteError.constraint ~= error)
            #expect(!(SQLiteError.busy ~= error))
            #expect(error.message.contains("NOT NULL"))
            #expect(error.description.contains("INSERT INTO bots"))
        }
    }
}
