import CSQLite

/// A prepared statement. Owns its `sqlite3_stmt*` and finalizes it in `deinit` (or earlier,
/// through ``finalize()``, when its connection closes).
///
/// Use it only inside ``SQLiteConnection/withStatement(_:_:)``, which resets it afterwards:
/// a statement that returned a row and was not reset keeps its read snapshot open.
///
/// Related SQLite documentation: https://sqlite.org/c3ref/stmt.html
final class SQLiteStatement {
    private(set) var handle: OpaquePointer?
    let sql: String
    /// True while a ``SQLiteConnection/withStatement(_:_:)`` body is using it.
    var inUse = false

    /// Prepares `sql` (one statement) on `db`; `persistent` hints that it will be cached.
    init(sql: String, db: OpaquePointer, persistent: Bool) throws {
        var stmt: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(db, sql, -1, flags, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            throw SQLiteError(code: rc == SQLITE_OK ? SQLITE_ERROR : rc, connection: db, sql: sql)
        }
        self.handle = stmt
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Finalizes the statement now; later use is a bug. https://sqlite.org/c3ref/finalize.html
    func finalize() {
        sqlite3_finalize(handle)
        handle = nil
    }

    private var db: OpaquePointer? { sqlite3_db_handle(handle) }

    // MARK: running

    /// Steps once: true when a row is available, false when the statement is done.
    /// https://sqlite.org/c3ref/step.html
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        try SQLiteError.check(rc, db, sql: sql)
        return rc == SQLITE_ROW
    }

    /// Steps until done, for statements whose rows (if any) are not needed.
    func run() throws {
        while try step() {}
    }

    /// Clears the bindings and resets the statement, releasing its read snapshot.
    /// (sqlite3_reset repeats the last step's error, which was already thrown.)
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: binding (parameters are numbered from 1)

    /// Binds `values` to parameters 1, 2, …; a `nil` optional binds NULL. A parameter pack, so
    /// each value is bound through its own type's method: no array of boxed existentials per
    /// statement on the hot path.
    func bind<each Value: SQLiteBindable>(_ values: repeat each Value) throws {
        var index: Int32 = 0
        for value in repeat each values {
            index += 1
            try value.bind(to: self, at: index)
        }
    }

    func bind(_ value: Int64, at index: Int32) throws {
        try SQLiteError.check(sqlite3_bind_int64(handle, index, value), db, sql: sql)
    }

    /// Binds a copy of the text (SQLITE_TRANSIENT), embedded NULs included.
    func bind(_ value: String, at index: Int32) throws {
        let rc = value.withCString { CSQLite_bind_text(handle, index, $0, Int32(value.utf8.count)) }
        try SQLiteError.check(rc, db, sql: sql)
    }

    /// Binds a copy of the bytes (SQLITE_TRANSIENT); an empty array binds an empty blob, not NULL.
    func bind(_ value: [UInt8], at index: Int32) throws {
        let rc = value.withUnsafeBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                return sqlite3_bind_zeroblob(handle, index, 0)
            }
            return CSQLite_bind_blob(handle, index, base, Int32(buffer.count))
        }
        try SQLiteError.check(rc, db, sql: sql)
    }

    func bindNull(at index: Int32) throws {
        try SQLiteError.check(sqlite3_bind_null(handle, index), db, sql: sql)
    }

    // MARK: columns (numbered from 0)

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    /// The column as UTF-8 text; NULL reads as "".
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }

    /// The column as bytes; NULL reads as [].
    func blob(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}

/// A Swift value that can be bound to a statement parameter.
protocol SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) throws
}

extension Int64: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Int: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) throws { try statement.bind(Int64(self), at: index) }
}

extension String: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension [UInt8]: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) throws { try statement.bind(self, at: index) }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    func bind(to statement: SQLiteStatement, at index: Int32) throws {
        if let value = self { try value.bind(to: statement, at: index) } else { try statement.bindNull(at: index) }
    }
}
