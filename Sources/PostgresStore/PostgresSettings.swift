import CLibpq
import Foundation

/// Where the PostgreSQL database is (a libpq connection string: `WECOM_DATABASE_URL`) and the
/// schema that holds the tables (`WECOM_PG_SCHEMA`). Plain values, so a pre-fork master can
/// make them and its children connect with them.
///
/// The connection string may be a URI (`postgresql://user@host:port/db`) or `key=value` pairs;
/// whatever it leaves out libpq takes from `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGDATABASE` (so `postgresql://` alone uses those). The string may hold a password: it is
/// never printed; ``description`` names host, port, database, user and schema only.
///
/// Related libpq documentation: https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNSTRING
public struct PostgresSettings: Sendable, CustomStringConvertible {
    /// As given; never printed.
    let connectionString: String
    /// The schema of every table.
    public let schema: String
    /// How long a responder's statement may wait (for a lock, or at all) before the callback is
    /// answered "try again later", and how long connecting may take unless the connection string
    /// or `PGCONNECT_TIMEOUT` says otherwise. WeCom gives a callback 5 seconds.
    public var failFastTimeout: Double = 2
    let redaction: Redaction
    public let description: String

    /// Parses `connectionString` (without connecting) and checks `schema`.
    /// - Throws: ``PostgresError`` naming what is wrong, never quoting the string itself.
    public init(connectionString: String, schema: String) throws {
        guard Self.isValidSchemaName(schema) else {
            throw PostgresError(sqlState: nil,
                                message: "schema name '\(schema)' is not 1–63 bytes without quotes, or starts with pg_")
        }
        var failure: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &failure) else {
            let message = failure.map { String(cString: $0) } ?? "out of memory"
            PQfreemem(failure)
            throw PostgresError(sqlState: nil, message: "not a libpq connection string (URI or key=value): "
                                + Redaction.withoutQuotedParts(message))
        }
        defer { PQconninfoFree(options) }
        var given: [String: String] = [:]
        var secrets: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                given[String(cString: keyword)] = String(cString: value)
                // libpq marks the options to hide in a dialog with "*": the password.
                if let display = option.pointee.dispchar, String(cString: display).contains("*") {
                    secrets.append(String(cString: value))
                }
            }
            option += 1
        }
        if let password = ProcessInfo.processInfo.environment["PGPASSWORD"] { secrets.append(password) }
        self.connectionString = connectionString
        self.schema = schema
        redaction = Redaction(secrets: secrets.filter { !$0.isEmpty })
        description = Self.describe(given: given, schema: schema)
    }

    /// A name the schema may have here: 1–63 bytes (longer names PostgreSQL would cut), no
    /// double quote or NUL (it is always written as a quoted identifier), not `pg_…` (reserved for
    /// the system). `WECOM_PG_SCHEMA` is held to a stricter rule (lowercase, no quoting needed in `psql`).
    public static func isValidSchemaName(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && !name.utf8.contains(UInt8(ascii: "\"")) && !name.utf8.contains(0)
            && !name.hasPrefix("pg_")
    }

    /// The `SET` statements of a call that must fail fast, for the session or (`local`) the open
    /// transaction: a wait for a lock ends after ``failFastTimeout`` (and is reported as the lock
    /// it is), any statement a second later.
    func failFastSQL(local: Bool) -> String {
        let set = local ? "SET LOCAL" : "SET"
        let lock = max(1, Int((failFastTimeout * 1000).rounded()))
        return "\(set) lock_timeout = \(lock); \(set) statement_timeout = \(lock + 1000)"
    }

    /// The schema as a quoted identifier (validated, so quoting is only for form).
    var quotedSchema: String { "\"\(schema)\"" }

    /// The `LISTEN`/`NOTIFY` channel of this schema's job queue: installations in other schemas
    /// of the same database do not wake each other's workers.
    var jobChannel: String { "\"\(schema).jobs\"" }

    /// Keywords and values for `PQconnectdbParams` with `expand_dbname`: our defaults first, then
    /// the connection string, which overrides them ("the last processed value is retained").
    var connectKeywords: [(String, String)] {
        var pairs: [(String, String)] = [("fallback_application_name", "wecom-bot")]
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            // libpq takes whole seconds and treats anything below 2 as 2.
            pairs.append(("connect_timeout", String(max(2, Int(failFastTimeout.rounded(.up))))))
        }
        pairs.append(("dbname", connectionString))
        return pairs
    }

    /// Host, port, database and user as far as the string and the `PG*` variables name them.
    private static func describe(given: [String: String], schema: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        let fields = [("host", "PGHOST"), ("hostaddr", "PGHOSTADDR"), ("port", "PGPORT"), ("dbname", "PGDATABASE"),
                      ("user", "PGUSER")]
        var parts = ["PostgreSQL"]
        for (keyword, variable) in fields {
            if let value = given[keyword] ?? environment[variable], !value.isEmpty {
                parts.append("\(keyword)=\(value)")
            }
        }
        parts.append("schema=\(schema)")
        return parts.joined(separator: " ")
    }
}
