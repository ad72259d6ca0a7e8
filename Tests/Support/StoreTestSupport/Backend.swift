import BotStore
import Foundation
import PostgresStore
import SQLiteStore

/// The store backends a backend-neutral test runs against: `@Test(arguments: Backend.allCases)`.
public enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// The schema version `migrate` brings a new database to.
    public var latestSchemaVersion: Int {
        switch self {
        case .sqlite: return 7
        case .postgres: return 3
        }
    }

    /// A SQL literal of the bytes `hex` (two hex digits a byte) in this backend's dialect.
    public func blobLiteral(hex: String) -> String {
        switch self {
        case .sqlite: return "x'\(hex)'"
        case .postgres: return "'\\x\(hex)'::bytea"
        }
    }

    /// The tables every backend has, under the same names.
    public static let storeTables = ["bots", "agents", "streams", "messages", "stream_images", "jobs", "conversations",
                                     "feedback"]

    /// SQL counting the tables of the store's schema that are in `names`, or all of them.
    public func tableCountSQL(named names: [String]? = nil) -> String {
        let filter = names.map { " AND \(self == .sqlite ? "name" : "table_name") IN ('\($0.joined(separator: "','"))')" } ?? ""
        switch self {
        case .sqlite: return "SELECT count(*) FROM sqlite_schema WHERE type = 'table'" + filter
        case .postgres: return "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()" + filter
        }
    }

    /// SQL that records `version` as the schema's version, as a newer build would.
    public func setSchemaVersionSQL(_ version: Int) -> String {
        switch self {
        case .sqlite: return "PRAGMA user_version = \(version)"
        case .postgres: return "UPDATE schema_version SET version = \(version)"
        }
    }
}

/// A fresh database of one backend for one test: a SQLite file in the temporary folder, or a
/// PostgreSQL schema of its own (`t_…`) on the test server, so tests run in parallel on one
/// server. ``drop()`` removes it.
///
/// PostgreSQL stores use ``DatabaseClock/caller`` here: the backend-neutral tests move time by
/// passing `now`, which a server's clock would ignore. The PostgreSQL tests check the server
/// clock themselves.
public final class TestDatabase: Sendable {
    public let kind: Backend
    public let backend: any StoreBackend
    /// The PostgreSQL settings (nil for SQLite).
    public let postgresSettings: PostgresSettings?
    /// The SQLite file (nil for PostgreSQL).
    public let sqlitePath: String?

    public init(_ kind: Backend) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.path
            let path = folder + "/storetest-\(UUID().uuidString).sqlite3"
            sqlitePath = path
            postgresSettings = nil
            backend = SQLiteBackend(path: path, wakeDirectory: path + "-wake")
        case .postgres:
            let settings = try TestPostgres.settings(schema: TestPostgres.freshSchemaName())
            postgresSettings = settings
            sqlitePath = nil
            backend = PostgresBackend(settings: settings, clock: .caller)
        }
    }

    /// A new connection (as another process or host would have), on the caller's clock.
    public func openStore() throws -> any TestStore {
        switch kind {
        case .sqlite: return try SQLiteStore(path: sqlitePath ?? "")
        case .postgres: return try PostgresStore(settings: postgresSettings!, clock: .caller)
        }
    }

    /// Removes the file and its companions, or drops the schema with everything in it.
    public func drop() {
        if let sqlitePath {
            for suffix in ["", "-wal", "-shm", "-accept.lock", "-wake"] {
                try? FileManager.default.removeItem(atPath: sqlitePath + suffix)
            }
        }
        if let postgresSettings {
            TestPostgres.dropSchema(postgresSettings.schema)
        }
    }
}

/// Runs `body` with a fresh database of `kind` (prepared, unless `prepared` is false), dropping
/// it afterwards, also when `body` throws.
public func withTestDatabase<T>(_ kind: Backend, prepared: Bool = true, _ body: (TestDatabase) throws -> T) throws -> T {
    let database = try TestDatabase(kind)
    defer { database.drop() }
    if prepared { try database.backend.prepare() }
    return try body(database)
}

/// Runs `body` with a connection to a fresh, prepared database of `kind`, closed and dropped afterwards.
public func withStore<T>(_ kind: Backend, _ body: (any TestStore, TestDatabase) throws -> T) throws -> T {
    try withTestDatabase(kind) { database in
        let store = try database.openStore()
        defer { store.close() }
        return try body(store, database)
    }
}
