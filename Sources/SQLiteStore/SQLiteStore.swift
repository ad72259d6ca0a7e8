import BotStore
import CSQLite

/// The SQLite backend of ``BotStore``: one connection to a database file that any number of
/// responder and worker processes share.
///
/// Open one store per process or thread (after `fork()`, never before) and use it from one
/// thread at a time; it is deliberately not `Sendable`. `init` only opens and configures the
/// connection; call ``migrate()`` before the first use of a new file.
///
/// Protocol methods throw ``SQLiteError`` for database failures and ``StoreError`` for the
/// cases the protocol names (`notFound`, `schemaTooNew`, and `unavailable` for the callback
/// path's writes, see ``callbackWait``).
public final class SQLiteStore: BotStore {
    /// How long a write of the callback path (`acceptMessage`, `recordEvent`) may wait for the
    /// write lock before it gives up: WeCom waits 5 seconds for an answer, and a 503 in time
    /// makes it deliver the callback again. Other writes wait the busy handler's whole budget.
    public static let callbackWait: Duration = .seconds(2)

    let connection: SQLiteConnection
    /// For the background checkpoint: flushes the WAL before the log restarts (see there).
    let walFile: WALFile
    /// Takes `acceptMessage` when the serving threads of a process share one (group commit).
    let acceptCommitter: AcceptCommitter?
    /// This connection's ``callbackWait`` (tests shorten it).
    let callbackWait: Duration

    /// Opens (creating if needed) the database file at `path`.
    /// - Parameter autoCheckpointPages: `PRAGMA wal_autocheckpoint` for this connection. The
    ///   responders and workers pass 0: their commits never checkpoint, a `BackgroundCheckpointer`
    ///   thread does (`backgroundCheckpoint`).
    /// - Parameter acceptCommitter: shared by the stores of a process's serving threads, it
    ///   commits the messages they accept at the same time in one transaction.
    /// - Parameter callbackWait: see ``callbackWait``.
    public init(path: String, autoCheckpointPages: Int? = nil, acceptCommitter: AcceptCommitter? = nil,
                callbackWait: Duration = SQLiteStore.callbackWait) throws {
        self.acceptCommitter = acceptCommitter
        self.callbackWait = callbackWait
        connection = try SQLiteConnection(path: path)
        walFile = WALFile(databasePath: path)
        if let pages = autoCheckpointPages {
            try connection.withStatement("PRAGMA wal_autocheckpoint = \(max(0, pages))") { row in _ = try row.step() }
        }
    }

    /// For processes that keep several connections (a worker: claimer, progress writer and a
    /// pool for its answers): connections then grow their page cache as needed instead of
    /// preallocating about 85 KB each. Must run before the process opens its first database; false if too late.
    static func skipPageCachePreallocation() -> Bool {
        CSQLite_config_no_pagecache_prealloc() == SQLITE_OK
    }

    /// Closes the connection. Later calls throw. Never fails: if SQLite refuses a plain
    /// close, the connection is released as soon as SQLite allows (`sqlite3_close_v2`).
    public func close() {
        do {
            try connection.close()
        } catch {
            connection.closeForcibly()
        }
    }

    // MARK: operator helpers (tests, wecomctl)

    /// Runs one or more SQL statements, discarding any rows.
    public func execute(_ sql: String) throws {
        try connection.execute(sql)
    }

    /// The first column of the first row of `sql` as an integer; nil when there is no row or
    /// the value is NULL. The statement is not cached.
    public func scalarInt(_ sql: String) throws -> Int64? {
        let statement = try connection.makeStatement(sql)
        defer { statement.reset() }
        return try statement.step() ? statement.optionalInt64(0) : nil
    }
}
