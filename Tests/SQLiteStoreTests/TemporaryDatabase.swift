import Foundation
@testable import SQLiteStore

/// Runs `body` with the path of a fresh database file in the temporary directory, and removes
/// the file and its `-wal`, `-shm` and `-accept.lock` companions afterwards, also when `body` throws.
func withTemporaryDatabase<T>(_ body: (String) throws -> T) throws -> T {
    let name = "sqlitestore-\(UUID().uuidString).sqlite3"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
    defer {
        for suffix in ["", "-wal", "-shm", "-accept.lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    return try body(path)
}

/// Runs `body` with a migrated store on a fresh temporary database, closing it afterwards.
func withMigratedStore<T>(_ body: (SQLiteStore, String) throws -> T) throws -> T {
    try withTemporaryDatabase { path throws in
        let store = try SQLiteStore(path: path)
        defer { store.close() }
        try store.migrate()
        return try body(store, path)
    }
}

/// Runs `body` while a second connection to `path` holds the write lock with `BEGIN IMMEDIATE`,
/// as an operator's `sqlite3` shell can; `body` gets that connection, to end the transaction.
func withWriteLockHeld<T>(on path: String, _ body: (SQLiteStore) throws -> T) throws -> T {
    let holder = try SQLiteStore(path: path)
    defer { holder.close() }
    try holder.execute("BEGIN IMMEDIATE")
    return try body(holder)
}

/// Runs `body` with a store migrated by a SQLite that refuses writes to sqlite_schema (as one
/// built with SQLITE_DBCONFIG_DEFENSIVE on does), closing it afterwards.
func withDefensivelyMigratedStore<T>(_ body: (SQLiteStore) throws -> T) throws -> T {
    try withTemporaryDatabase { path throws in
        let store = try SQLiteStore(path: path)
        defer { store.close() }
        try store.connection.setDefensive(true)
        try store.migrate()
        return try body(store)
    }
}

extension SQLiteStore {
    /// `PRAGMA integrity_check`'s first line: "ok" for a sound file.
    func integrityCheck() throws -> String {
        try connection.withStatement("PRAGMA integrity_check") { try $0.step() ? $0.text(0) : "" }
    }

    /// The `detail` column of `EXPLAIN QUERY PLAN sql`, one entry per plan step.
    func queryPlan(_ sql: String) throws -> [String] {
        try connection.withStatement("EXPLAIN QUERY PLAN " + sql) { row in
            var details: [String] = []
            while try row.step() { details.append(row.text(3)) }
            return details
        }
    }
}
