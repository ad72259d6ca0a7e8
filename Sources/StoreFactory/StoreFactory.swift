import BotConfig
import BotStore
import PostgresStore
import SQLiteStore

/// The store backend the configuration names. The executables, `wecomctl` and the fuzz harness
/// get their store here and use only the `BotStore` protocols, so a backend is added in one place.
public enum StoreFactory {
    /// PostgreSQL when `WECOM_DATABASE_URL` is set (its schema `WECOM_PG_SCHEMA`); otherwise
    /// SQLite at `WECOM_DB_PATH`, its workers woken through `WECOM_WAKE_DIR`.
    /// - Throws: ``ConfigurationError`` for a database URL libpq cannot parse (naming the variable,
    ///   never quoting it: it may hold a password).
    public static func backend(for configuration: Configuration) throws -> any StoreBackend {
        if let url = configuration.databaseURL {
            do {
                return PostgresBackend(settings: try PostgresSettings(connectionString: url, schema: configuration.pgSchema))
            } catch let error as PostgresError {
                throw ConfigurationError(variable: "WECOM_DATABASE_URL", reason: error.message)
            }
        }
        return SQLiteBackend(path: configuration.databasePath, wakeDirectory: configuration.wakeDirectory)
    }

    /// The store at `location`, as `wecomctl store copy --from/--to` names one: a PostgreSQL URI
    /// (`postgresql://…` or `postgres://…`; what it leaves out comes from libpq's `PG*` variables),
    /// its tables in `pgSchema`, or else the path of a SQLite file, its workers woken through
    /// `wakeDirectory`.
    /// - Throws: ``PostgresError`` for a URI libpq cannot parse (never quoting it) or a bad schema name.
    public static func backend(location: String, pgSchema: String, wakeDirectory: String) throws -> any StoreBackend {
        if isPostgreSQL(location) {
            return PostgresBackend(settings: try PostgresSettings(connectionString: location, schema: pgSchema))
        }
        return SQLiteBackend(path: location, wakeDirectory: wakeDirectory)
    }

    /// Whether `location` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgreSQL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// The original service's `agents` table (`wecomctl agents import-seed`) in the PostgreSQL
    /// database `connectionString` names; `table` is `name` or `schema.name` (default schema `public`).
    public static func seedAgents(connectionString: String, table: String) throws -> any SeedAgentSource {
        try PostgresSeedAgents(connectionString: connectionString, table: table)
    }
}
