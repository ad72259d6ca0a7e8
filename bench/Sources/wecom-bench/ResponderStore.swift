import BotStore
import Foundation
import PostgresStore
import SQLiteStore

/// Where a responder keeps its store (the services' `WECOM_DB_PATH`, or `WECOM_DATABASE_URL` and
/// `WECOM_PG_SCHEMA`).
enum ResponderStore {
    case sqlite(path: String)
    case postgres(url: String, schema: String)

    /// The variables that point a service at this store; `name` is its PostgreSQL sessions'
    /// application name.
    func environment(name: String) -> [String: String] {
        switch self {
        case let .sqlite(path):
            ["WECOM_DB_PATH": path]
        case let .postgres(url, schema):
            ["WECOM_DATABASE_URL": url, "WECOM_PG_SCHEMA": schema, "PGAPPNAME": name]
        }
    }

    /// The backend a service makes of ``environment(name:)`` (its SQLite workers' wake folder
    /// beside the file, as the services default to).
    func backend() throws -> any StoreBackend {
        switch self {
        case let .sqlite(path):
            SQLiteBackend(path: path, wakeDirectory: (path as NSString).deletingLastPathComponent + "/wake")
        case let .postgres(url, schema):
            PostgresBackend(settings: try PostgresSettings(connectionString: url, schema: schema))
        }
    }

    /// A connection to the store after emptying it, so that a run starts from nothing: the SQLite
    /// file is deleted, the PostgreSQL schema dropped with everything in it; then it is migrated.
    func openEmpty() throws -> any BotStore {
        switch self {
        case let .sqlite(path):
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        case let .postgres(url, schema):
            // No store call drops a schema: the services never do. The name holds no quote.
            let store = try PostgresStore(settings: PostgresSettings(connectionString: url, schema: schema))
            defer { store.close() }
            try store.execute("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
        }
        let backend = try backend()
        try backend.prepare()
        return try backend.openStore()
    }
}
