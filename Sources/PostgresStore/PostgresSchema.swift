/// The PostgreSQL schema, as ordered migrations. Migration `n` moves the `schema_version` table
/// to `n`; released migrations are never edited, only appended to, each a type named after its
/// version and what it changes, in the file of that name.
///
/// Tables and columns carry the SQLite backend's names and kinds (TEXT, and BIGINT unix seconds
/// where SQLite has INTEGER), so the README's `sqlite3` queries run in `psql` after
/// `SET search_path TO <schema>` (with `extract(epoch FROM now())` for `strftime('%s','now')`).
enum PostgresSchema {
    struct Migration: Sendable {
        let version: Int
        /// The statements, given the quoted schema name (a trigger's function names its tables
        /// with it, so it works whatever the caller's search path).
        let sql: @Sendable (_ quotedSchema: String) -> String
    }

    static let migrations: [Migration] = [
        PostgresMigration1CreateTables.migration,
        PostgresMigration2LongConnection.migration,
        PostgresMigration3WorkerHeartbeats.migration,
    ]

    /// The newest version this build understands.
    static var latestVersion: Int { migrations.last?.version ?? 0 }
}
