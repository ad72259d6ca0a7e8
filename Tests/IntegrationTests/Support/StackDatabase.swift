import Foundation
import PostgresStore
import StoreTestSupport

/// The store a test stack runs on, reached the way an operator reaches it: a SQLite file in the
/// stack's folder (the `sqlite3` shell), or a schema of its own on the test PostgreSQL (`psql`,
/// `pg_dump` of the server's version), dropped by ``drop()``.
final class StackDatabase {
    let backend: Backend
    /// The SQLite file (also set on PostgreSQL, where nothing may create it).
    let sqlitePath: String
    /// The PostgreSQL schema (nil on SQLite).
    let schema: String?
    private let url: String?
    /// The test's own connection for the reads it repeats while waiting (PostgreSQL), opened on
    /// first use: a `psql` or a new connection each time would cost a server process each.
    private var session: PostgresStore?

    init(_ backend: Backend, folder: String) throws {
        self.backend = backend
        sqlitePath = folder + "/bot.sqlite3"
        switch backend {
        case .sqlite:
            schema = nil
            url = nil
        case .postgres:
            url = try TestPostgres.url()
            schema = TestPostgres.freshSchemaName()
        }
    }

    /// What the services read to find this store. On PostgreSQL each process can be told apart
    /// in `pg_stat_activity` by `applicationName` (see ``environment(applicationName:)``).
    var environment: [String: String] { environment(applicationName: nil) }

    /// The settings, with the connections of the process tagged `applicationName` on PostgreSQL.
    func environment(applicationName: String?) -> [String: String] {
        guard let schema, let url = connectionString(applicationName: applicationName) else {
            return ["WECOM_DB_PATH": sqlitePath]
        }
        return ["WECOM_DB_PATH": sqlitePath, "WECOM_PG_SCHEMA": schema, "WECOM_DATABASE_URL": url]
    }

    /// The test server's URL, its connections tagged `applicationName` (nil on SQLite).
    func connectionString(applicationName: String? = nil) -> String? {
        guard let url else { return nil }
        let separator = url.contains("?") ? "&" : "?"
        return applicationName.map { url + separator + "application_name=" + $0 } ?? url
    }

    /// Runs `sql` (statements both dialects understand; the last one's rows come back, one a line,
    /// columns separated by `|`) with the `sqlite3` shell or `psql`, as an operator would.
    @discardableResult
    func query(_ sql: String) throws -> String {
        guard let url, let schema else { return try sqlite(sqlitePath, sql) }
        return try runCommand(try Self.postgresTool("psql"), ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                                                               "-c", "SET search_path TO \(schema); " + sql])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every row as text (`sqlite3 .dump`; `pg_dump --data-only` of the schema without the lines
    /// that change with every run: sequence positions and the dump's random `\restrict` key), to
    /// prove a request wrote nothing.
    /// Waits until `sql` (a single value) returns `expected`; on timeout the error shows the last
    /// value and the tail of `logs` (the stack's processes), evaluated then.
    func waitFor(_ sql: String, toBe expected: String, timeout: Double, logs: @autoclosure () -> String) throws {
        var last = ""
        do {
            // On PostgreSQL every look is a `psql` and a server process: fewer of them.
            try waitUntil(timeout: timeout, interval: backend == .sqlite ? 0.005 : 0.05, "\(sql) = \(expected)") {
                last = (try? self.query(sql)) ?? ""
                return last == expected
            }
        } catch {
            throw FixtureError("\(error); last value: \(last)\n\(logs().suffix(3000))")
        }
    }

    func dump() throws -> String {
        guard let url, let schema else { return try sqlite(sqlitePath, ".dump") }
        let dump = try runCommand(try Self.postgresTool("pg_dump"), ["--data-only", "--schema=" + schema, "-d", url])
        return dump.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !line.hasPrefix("SELECT pg_catalog.setval(") && !line.hasPrefix("\\restrict ") && !line.hasPrefix("\\unrestrict ")
        }.joined(separator: "\n")
    }

    /// The number of rows of every store table, `table=count` joined by spaces: a cheap check
    /// between two dumps.
    func rowCounts() throws -> String {
        try query(Backend.storeTables.map { "SELECT '\($0)=' || count(*) FROM \($0)" }.joined(separator: " UNION ALL "))
            .split(separator: "\n").joined(separator: " ")
    }

    /// How many server sessions of the processes tagged `applicationName` match `condition`
    /// (SQL on `pg_stat_activity`). PostgreSQL only.
    func sessions(of applicationName: String, where condition: String = "TRUE") throws -> Int64 {
        try scalar("""
            SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(applicationName)' AND \(condition)
            """) ?? 0
    }

    /// How many of `tables` (of this schema) the sessions tagged `applicationName` hold a granted
    /// lock on in `mode` (`pg_locks`' name, e.g. `ExclusiveLock`). PostgreSQL only.
    func lockedTables(_ tables: [String], mode: String, by applicationName: String) throws -> Int64 {
        try scalar("""
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
              JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE n.nspname = '\(schema ?? "")' AND c.relname IN ('\(tables.joined(separator: "','"))')
              AND l.mode = '\(mode)' AND l.granted AND a.application_name = '\(applicationName)'
            """) ?? 0
    }

    /// The first column of the first row of `sql`, an integer, read on the test's own connection
    /// in the schema. PostgreSQL only.
    func scalar(_ sql: String) throws -> Int64? {
        guard let schema else { throw FixtureError("the test's own connection is PostgreSQL's") }
        if session == nil { session = try TestPostgres.openSession(schema: schema) }
        return try session?.scalarInt(sql)
    }

    /// Removes the PostgreSQL schema with everything in it (the SQLite file goes with its folder).
    func drop() {
        session?.close()
        session = nil
        if let schema { _ = try? TestPostgres.admin("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE") }
    }

    /// A client program of the test server's PostgreSQL version.
    static func postgresTool(_ name: String) throws -> String {
        let folder = ProcessInfo.processInfo.environment["WECOM_TEST_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
        let path = folder + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw FixtureError("\(path) is missing: scripts/install-deps.sh installs PostgreSQL")
        }
        return path
    }
}

extension Backend {
    /// SQL joining `expression` over the rows with `separator` (`group_concat`, `string_agg`).
    func joined(_ expression: String, separator: String) -> String {
        switch self {
        case .sqlite: return "group_concat(\(expression), '\(separator)')"
        case .postgres: return "string_agg(\(expression), '\(separator)')"
        }
    }
}
