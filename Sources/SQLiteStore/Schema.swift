/// The schema, as ordered migrations. Migration `n` moves the database to `PRAGMA user_version`
/// `n`; released migrations are never edited, only appended to. Each one is a type named after
/// its version and what it changes, in the file of that name.
///
/// Table and column names are part of the operator interface (README's `sqlite3` queries).
enum Schema {
    struct Migration: Sendable {
        let version: Int
        let apply: @Sendable (SQLiteConnection) throws -> Void

        init(version: Int, sql: String) {
            self.version = version
            apply = { try $0.execute(sql) }
        }

        init(version: Int, apply: @escaping @Sendable (SQLiteConnection) throws -> Void) {
            self.version = version
            self.apply = apply
        }
    }

    static let migrations: [Migration] = [
        Migration1CreateTables.migration,
        Migration2IndexMessagesByStream.migration,
        Migration3DropMessagesCreated.migration,
        Migration4StateChecksAsComparisons.migration,
        Migration5FewerIndexes.migration,
        Migration6LongConnection.migration,
        Migration7WorkerHeartbeats.migration,
    ]

    /// The newest version this build understands.
    static var latestVersion: Int { migrations.last?.version ?? 0 }
}
