import CSQLite

/// In-place edits of `CREATE TABLE` texts in `sqlite_schema`, for the parts of a definition that
/// are not stored in the rows: CHECK and FOREIGN KEY constraints
/// (https://sqlite.org/lang_altertable.html#otheralter).
///
/// `writable_schema`, one UPDATE per table, `schema_version` + 1 so that every other connection
/// reloads the schema before its next statement runs, and `writable_schema = RESET` for this
/// one. A definition that does not hold the expected text is left as it is.
enum SchemaTextEdit {
    struct Replacement {
        let table: String
        let from: String
        let to: String
    }

    /// Inside the migration's write transaction. Returns how many table definitions changed:
    /// none when this SQLite refuses writes to `sqlite_schema` (built with
    /// SQLITE_DBCONFIG_DEFENSIVE on: "table sqlite_master may not be modified"), and the edits
    /// made before a refusal keep their `schema_version` bump.
    static func apply(_ replacements: [Replacement], on connection: SQLiteConnection) throws -> Int {
        let version = try connection.withStatement("PRAGMA schema_version") { try $0.step() ? $0.int64(0) : 0 }
        try connection.execute("PRAGMA writable_schema = ON")
        // RESET also switches it off, and makes this connection parse the schema again.
        defer { try? connection.execute("PRAGMA writable_schema = RESET") }
        var edited = 0
        edits: for replacement in replacements {
            do {
                try connection.withStatement("""
                    UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2)
                    WHERE type = 'table' AND name = ?3 AND instr(sql, ?1) > 0
                    """) { statement in
                    try statement.bind(replacement.from, replacement.to, replacement.table)
                    try statement.run()
                }
                edited += connection.changes
            } catch let error as SQLiteError where error.code.rawValue & 0xFF == SQLITE_ERROR {
                break edits
            }
        }
        guard edited > 0 else { return 0 }
        // PRAGMA takes no bound parameters; the value is SQLite's own integer. Statements other
        // connections prepared before find the new value when they run, and are prepared again.
        try connection.execute("PRAGMA schema_version = \(version + 1)")
        return edited
    }
}
