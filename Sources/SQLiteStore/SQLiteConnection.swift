import CSQLite

/// One `sqlite3*` connection, set up for a database shared by many processes.
///
/// Every connection gets extended result codes, WAL, `synchronous=NORMAL` (Debian defaults to
/// FULL: about 300 commits/s in total on this disk), foreign keys, a journal size limit and a
/// fair busy handler (``BusyNap``). Statements are prepared once and cached by SQL, and always
/// reset after use (docs/systems.md §3.1, §3.3, §3.4).
///
/// Not thread-safe: opened with `SQLITE_OPEN_NOMUTEX`, it belongs to one thread at a time.
/// Never carry it across `fork()`.
final class SQLiteConnection {
    private(set) var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    private let busyNap = BusyNap()

    /// Opens (creating if needed) the database at `path` and configures the connection.
    /// https://sqlite.org/c3ref/open.html
    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            // "Whether or not an error occurs when it is opened, resources associated with the
            // database connection handle should be released by passing it to sqlite3_close()."
            let error = SQLiteError(code: rc, connection: db)
            sqlite3_close(db)
            throw error
        }
        handle = db
        do {
            try configure(db)
        } catch {
            closeForcibly()
            throw error
        }
    }

    deinit { closeForcibly() }

    private func configure(_ db: OpaquePointer) throws {
        sqlite3_extended_result_codes(db, 1)
        busyNap.install(on: db)
        try enableWAL()
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
        // Above the 12,288 pages at which the background checkpoint forces a restart, so a reset
        // WAL is rewritten in place instead of being cut and regrown block by block, which made
        // every new message dearer (bench/README.md). The WAL file stays at most this size.
        try execute("PRAGMA journal_size_limit = 67108864")
    }

    /// Switches to WAL (persistent in the file; a no-op once set). Also proves that the file
    /// is a database. The switch needs an exclusive lock, and when it cannot get one SQLite
    /// may answer BUSY or simply report the old mode, so both are retried within the budget.
    /// https://sqlite.org/pragma.html#pragma_journal_mode
    private func enableWAL() throws {
        let sql = "PRAGMA journal_mode = WAL"
        let retry = BusyNap()
        var attempt = 0
        while true {
            let failure: SQLiteError
            do {
                let statement = try makeStatement(sql)
                let mode = try statement.step() ? statement.text(0).lowercased() : ""
                if mode == "wal" { return }
                failure = SQLiteError(code: SQLITE_BUSY, message: "journal mode stayed '\(mode)', not WAL", sql: sql)
            } catch let error as SQLiteError where error.code.primary == .busy || error.code.primary == .locked {
                failure = error
            }
            guard retry.napIfWithinBudget(attempt: attempt) else { throw failure }
            attempt += 1
        }
    }

    /// `SQLITE_DBCONFIG_DEFENSIVE` for this connection, which some builds turn on by default
    /// (tests use it to play one). https://sqlite.org/c3ref/c_dbconfig_defensive.html
    func setDefensive(_ on: Bool) throws {
        let db = try openHandle()
        try SQLiteError.check(CSQLite_set_defensive(db, on ? 1 : 0), db, sql: nil)
    }

    /// Runs `body` with every wait for a lock ending by `deadline` (or earlier, when the busy
    /// handler's budget is spent first); SQLite then answers `SQLITE_BUSY`. Nested calls keep
    /// the earlier deadline.
    func waitingForLocks<T>(until deadline: ContinuousClock.Instant, _ body: () throws -> T) rethrows -> T {
        let previous = busyNap.deadline
        busyNap.deadline = previous.map { min($0, deadline) } ?? deadline
        defer { busyNap.deadline = previous }
        return try body()
    }

    // MARK: running SQL

    /// Runs one or more statements, discarding any rows. https://sqlite.org/c3ref/exec.html
    func execute(_ sql: String) throws {
        let db = try openHandle()
        try SQLiteError.check(sqlite3_exec(db, sql, nil, nil, nil), db, sql: sql)
    }

    /// Runs `body` with the cached prepared statement for `sql`, then clears its bindings and
    /// resets it whatever happens, so no read snapshot stays open (docs/systems.md §3.4).
    /// If the cached statement is already in use (a nested call), a fresh one is prepared.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        let statement = try cachedStatement(sql)
        statement.inUse = true
        defer {
            statement.reset()
            statement.inUse = false
        }
        return try body(statement)
    }

    /// Prepares `sql` without caching it, for one-off statements. The caller resets it (or
    /// lets it go) as soon as it is done.
    func makeStatement(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(sql: sql, db: openHandle(), persistent: false)
    }

    private func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        let db = try openHandle()
        if let statement = statements[sql] {
            if !statement.inUse { return statement }
            return try SQLiteStatement(sql: sql, db: db, persistent: false)
        }
        let statement = try SQLiteStatement(sql: sql, db: db, persistent: true)
        statements[sql] = statement
        return statement
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE. https://sqlite.org/c3ref/changes.html
    var changes: Int {
        handle.map { Int(sqlite3_changes($0)) } ?? 0
    }

    /// False while a transaction is open. https://sqlite.org/c3ref/get_autocommit.html
    var isAutocommit: Bool {
        handle.map { sqlite3_get_autocommit($0) != 0 } ?? true
    }

    private func openHandle() throws -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "the connection is closed")
        }
        return handle
    }

    // MARK: closing

    /// Finalizes the cached statements and closes the connection. Throws (and stays open)
    /// if SQLite still answers BUSY. https://sqlite.org/c3ref/close.html
    func close() throws {
        guard let db = handle else { return }
        finalizeStatements()
        try SQLiteError.check(sqlite3_close(db), db)
        handle = nil
    }

    /// Closes without failing: with statements still unfinalized the connection becomes a
    /// zombie that SQLite frees once the last one is finalized.
    func closeForcibly() {
        guard let db = handle else { return }
        finalizeStatements()
        sqlite3_close_v2(db)
        handle = nil
    }

    private func finalizeStatements() {
        for statement in statements.values { statement.finalize() }
        statements.removeAll()
    }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}
