import CSQLite

/// An error reported by the sqlite3 C library: the boundary error of this module.
///
/// It keeps the *extended* result code (extended codes are on for every connection), the
/// `sqlite3_errmsg` text and the SQL that failed. Statement arguments are never included, so
/// user data does not reach logs. `catch SQLiteError.busy` matches every BUSY variant.
///
/// Related SQLite documentation: https://sqlite.org/rescode.html
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The extended result code.
    public let code: ResultCode
    /// The `sqlite3_errmsg` text (or `sqlite3_errstr` when no connection is available).
    public let message: String
    /// The SQL being prepared or run, if any.
    public let sql: String?

    init(code: Int32, message: String, sql: String? = nil) {
        self.code = ResultCode(rawValue: code)
        self.message = message
        self.sql = sql
    }

    /// Builds the error for `rc` from the connection's last error message.
    init(code: Int32, connection db: OpaquePointer?, sql: String? = nil) {
        let text = db.flatMap { sqlite3_errmsg($0) } ?? sqlite3_errstr(code)
        self.init(code: code, message: text.map { String(cString: $0) } ?? "unknown error", sql: sql)
    }

    public var description: String {
        var line = "SQLite error \(code.rawValue): \(message)"
        if let sql {
            // One line: collapse the whitespace of multi-line SQL.
            line += " (SQL: \(sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")))"
        }
        return line
    }

    /// SQLite's result codes, kept in SQLite's own terms so its documentation can be searched.
    public struct ResultCode: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The primary code (the low 8 bits of an extended code).
        public var primary: ResultCode { ResultCode(rawValue: rawValue & 0xFF) }

        public static let error = ResultCode(rawValue: SQLITE_ERROR)
        public static let busy = ResultCode(rawValue: SQLITE_BUSY)
        public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
        public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
        public static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
        public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)
        public static let ioError = ResultCode(rawValue: SQLITE_IOERR)
        public static let cantOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
        public static let full = ResultCode(rawValue: SQLITE_FULL)
        public static let lockingProtocol = ResultCode(rawValue: SQLITE_PROTOCOL)
    }

    public static let busy = ResultCode.busy
    public static let locked = ResultCode.locked
    public static let constraint = ResultCode.constraint
    public static let notADatabase = ResultCode.notADatabase

    /// Throws unless `rc` is `SQLITE_OK`, `SQLITE_ROW` or `SQLITE_DONE`.
    ///
    /// `SQLITE_MISUSE` can only mean this module used the C API wrongly, so it stops the
    /// process instead of being thrown.
    @discardableResult
    static func check(_ rc: Int32, _ db: OpaquePointer?, sql: String? = nil) throws -> Int32 {
        switch rc {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
            return rc
        case SQLITE_MISUSE:
            preconditionFailure("\(SQLiteError(code: rc, connection: db, sql: sql)) (misuse of the sqlite3 API: a bug in SQLiteStore)")
        default:
            throw SQLiteError(code: rc, connection: db, sql: sql)
        }
    }
}

extension SQLiteError.ResultCode {
    /// Matches a primary code against an error's code family, an extended code exactly:
    /// `catch SQLiteError.busy` catches `SQLITE_BUSY_SNAPSHOT` too.
    public static func ~= (pattern: Self, error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        return pattern == pattern.primary ? error.code.primary == pattern : error.code == pattern
    }
}
