import BotStore

/// An error reported by libpq or the PostgreSQL server: the boundary error of this module.
///
/// It keeps the SQLSTATE (nil when the server never answered: the connection failed or was
/// lost), the primary message and the SQL that failed. Statement arguments are never included,
/// and every message passes through the connection's ``Redaction`` first, so a password given in
/// the connection string cannot reach a log line.
///
/// Related PostgreSQL documentation: https://www.postgresql.org/docs/15/errcodes-appendix.html
public struct PostgresError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE, or nil for a failure on the client's side of the connection.
    public let sqlState: String?
    /// The primary message, on one line.
    public let message: String
    /// The SQL being prepared or run, if any.
    public let sql: String?
    /// True when the connection is unusable afterwards (never made, or lost): the next call reconnects.
    public let connectionLost: Bool

    init(sqlState: String?, message: String, sql: String? = nil, connectionLost: Bool = false) {
        self.sqlState = sqlState
        self.message = Self.oneLine(message)
        self.sql = sql
        self.connectionLost = connectionLost
    }

    public var description: String {
        var line = "PostgreSQL error" + (sqlState.map { " \($0)" } ?? "") + ": " + message
        if let sql { line += " (SQL: \(Self.oneLine(sql)))" }
        return line
    }

    /// The reason to give when this error means the database cannot take the call now, though it
    /// may in a moment (unreachable, restarting, out of connections, a table locked past the
    /// timeout): the callers answer such a failure with "try again later" (a callback's 503)
    /// instead of treating it as a fault. Nil for every other error.
    ///
    /// SQLSTATE classes: 08 connection exception, 57P01–57P03 shutdown and start-up, 53300 too
    /// many connections, 55P03 lock not available (`lock_timeout`), 57014 query cancelled
    /// (`statement_timeout`).
    public var unavailableReason: String? {
        switch sqlState {
        case .some("57P01"), .some("57P02"), .some("57P03"):
            return "database restarting or shutting down: \(message)"
        case nil where connectionLost:
            return "database connection failed: \(message)"
        case let .some(state) where state.hasPrefix("08"):
            return "database connection failed: \(message)"
        case .some("53300"):
            return "database has no free connection: \(message)"
        case .some("55P03"):
            return "database table locked by another transaction (lock timeout): \(message)"
        case .some("57014"):
            return "database statement timed out: \(message)"
        default:
            return nil
        }
    }

    /// The error callers see: ``StoreError/unavailable(_:)`` when the database cannot take the
    /// call now, else this error.
    var forCallers: any Error {
        unavailableReason.map { StoreError.unavailable($0) } ?? self
    }

    /// The error for a call on a connection ``PostgresConnection/close()`` closed.
    static let closed = PostgresError(sqlState: nil, message: "the connection is closed")

    /// Collapses every run of whitespace (libpq ends messages with a newline and may put a
    /// detail on the next line).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension PostgresError {
    /// Matches an error against a SQLSTATE: `catch PostgresError.uniqueViolation`.
    public struct State: Sendable, Equatable {
        public let code: String
        public static func ~= (pattern: State, error: any Error) -> Bool {
            (error as? PostgresError)?.sqlState == pattern.code
        }
    }

    public static let uniqueViolation = State(code: "23505")
    public static let lockNotAvailable = State(code: "55P03")
}
