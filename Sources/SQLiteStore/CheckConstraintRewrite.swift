import CSQLite
import BotStore

/// Migration 4: the `state` CHECK constraints of `streams` and `jobs` as comparisons joined by
/// OR instead of `IN` lists.
///
/// SQLite 3.40 evaluates a constant `IN` list of more than two values by building a temporary
/// B-tree of the values, and a CHECK constraint does that on every INSERT and UPDATE: two
/// temporary B-trees per new message (each a fresh pager, two zeroed 4 KiB pages and its
/// inserts). Without them `wecom-bench handler` spends 319,800 instead of 381,500 instructions
/// on a new message (callgrind). `state = 'a' OR state = 'b' …` is the same constraint
/// evaluated with plain comparisons.
///
/// A CHECK constraint is not stored in the rows, so the table definitions are edited in place
/// (https://sqlite.org/lang_altertable.html#otheralter): `writable_schema`, one UPDATE of the
/// CREATE TABLE text per table, `schema_version` + 1 so that every other connection reloads the
/// schema before its next statement runs, and `writable_schema = RESET` for this one. A
/// definition that does not hold the expected text is left as it is (the constraint stays
/// correct, only slower).
enum CheckConstraintRewrite {
    static let rewrites: [(table: String, from: String, to: String)] = [
        ("streams", "CHECK (state IN ('pending','streaming','finished','failed'))",
         "CHECK (state = 'pending' OR state = 'streaming' OR state = 'finished' OR state = 'failed')"),
        ("jobs", "CHECK (state IN ('queued','running','done','dead'))",
         "CHECK (state = 'queued' OR state = 'running' OR state = 'done' OR state = 'dead')"),
    ]

    /// Inside the migration's write transaction.
    static func apply(_ connection: SQLiteConnection) throws {
        let version = try connection.withStatement("PRAGMA schema_version") { try $0.step() ? $0.int64(0) : 0 }
        try connection.execute("PRAGMA writable_schema = ON")
        // RESET also switches it off, and makes this connection parse the schema again.
        defer { try? connection.execute("PRAGMA writable_schema = RESET") }
        var edited = 0
        for rewrite in rewrites {
            do {
                try connection.withStatement("""
                    UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2)
                    WHERE type = 'table' AND name = ?3 AND instr(sql, ?1) > 0
                    """) { statement in
                    try statement.bind(rewrite.from, rewrite.to, rewrite.table)
                    try statement.run()
                }
                edited += connection.changes
            } catch let error as SQLiteError where error.code.rawValue & 0xFF == SQLITE_ERROR {
                // A build with SQLITE_DBCONFIG_DEFENSIVE on refuses writes to sqlite_schema ("table
                // sqlite_master may not be modified"): the old constraints stay, correct and slower.
                break
            }
        }
        guard edited > 0 else { return }
        // PRAGMA takes no bound parameters; the value is SQLite's own integer. Statements other
        // connections prepared before find the new value when they run, and are prepared again.
        try connection.execute("PRAGMA schema_version = \(version + 1)")
    }
}
