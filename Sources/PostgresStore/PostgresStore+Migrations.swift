import BotStore

extension PostgresStore {
    /// Brings the schema to ``PostgresSchema/latestVersion``.
    ///
    /// Processes on several hosts may start at once: the migration runs in one transaction
    /// holding a transaction-level advisory lock named after the schema, so one of them creates
    /// the schema and its tables while the others wait for the lock, then read the version it
    /// recorded and have nothing to do. A schema already at this version is recognised without
    /// the lock. A schema newer than this build throws ``StoreError/schemaTooNew(found:supported:)``
    /// and is left untouched. The schema itself is created only when missing, so that a schema a
    /// database administrator made needs no CREATE privilege on the database.
    ///
    /// Related PostgreSQL documentation: https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS
    public func migrate() throws {
        try migrate(upTo: PostgresSchema.latestVersion)
    }

    /// ``migrate()``, stopping at version `target` (tests build older schemas with it).
    func migrate(upTo target: Int) throws {
        let supported = PostgresSchema.latestVersion
        if try schemaVersion() == target { return }
        try write {
            // Migrations may wait for the lock as long as the migrating process needs.
            try connection.transaction("BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0") {
                _ = try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                                         "wecom-bot migrate " + settings.schema)
                if try connection.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", settings.schema).rowCount == 0 {
                    try connection.executeSimple("CREATE SCHEMA \(settings.quotedSchema)")
                }
                try connection.executeSimple("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)")
                let found = try storedVersion()
                guard found <= supported else { throw StoreError.schemaTooNew(found: found, supported: supported) }
                guard found < target else { return }
                for migration in PostgresSchema.migrations where migration.version > found && migration.version <= target {
                    try connection.executeSimple(migration.sql(settings.quotedSchema))
                }
                try connection.executeSimple("DELETE FROM schema_version")
                _ = try connection.query("INSERT INTO schema_version(version) VALUES ($1)", target)
            }
        }
    }

    /// The version the `schema_version` table records; 0 when the schema or the table is missing.
    func storedVersion() throws -> Int {
        let table = try connection.query("SELECT to_regclass($1) IS NOT NULL", settings.quotedSchema + ".schema_version")
        guard table.text(0, 0) == "t" else { return 0 }
        let row = try connection.query("SELECT max(version) FROM schema_version")
        return Int(row.optionalInt64(0, 0) ?? 0)
    }
}
