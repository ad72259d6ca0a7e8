import BotStore

extension SQLiteStore {
    /// Brings the schema to ``Schema/latestVersion`` inside one `BEGIN IMMEDIATE`.
    ///
    /// Processes starting at once queue on the write lock; each later one reads the version
    /// the first one recorded and has nothing to do. A database newer than this build throws
    /// ``StoreError/schemaTooNew(found:supported:)`` and is left untouched.
    ///
    /// Related SQLite documentation: https://sqlite.org/pragma.html#pragma_user_version
    public func migrate() throws {
        try migrate(upTo: Schema.latestVersion)
    }

    /// ``migrate()``, stopping at version `target` (tests build older files with it).
    func migrate(upTo target: Int) throws {
        try connection.transaction {
            let found = try userVersion()
            let supported = Schema.latestVersion
            guard found <= supported else {
                throw StoreError.schemaTooNew(found: found, supported: supported)
            }
            guard found < target else { return }
            for migration in Schema.migrations where migration.version > found && migration.version <= target {
                try migration.apply(connection)
            }
            // PRAGMA takes no bound parameters; the value is our own integer.
            try connection.execute("PRAGMA user_version = \(target)")
        }
    }

    /// `PRAGMA user_version`: the schema version the file is at.
    func userVersion() throws -> Int {
        try connection.withStatement("PRAGMA user_version") { statement in
            try statement.step() ? Int(statement.int64(0)) : 0
        }
    }
}
