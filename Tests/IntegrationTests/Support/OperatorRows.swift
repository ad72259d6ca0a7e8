import Foundation

/// SQL that creates the rows the services would have written (a message, its stream, its job
/// and images), so that operator commands can be checked against known numbers.
struct OperatorRows {
    struct Job {
        var state: String
        var attempts = 1
        var runAt: Int64
        var leaseUntil: Int64?
        var finishedAt: Int64?
        var lastError: String?
    }

    private(set) var sql: [String] = []

    mutating func stream(_ id: String, state: String, created: Int64, finishedAt: Int64? = nil, content: String = "",
                         error: String? = nil, responseURL: String? = nil, images: Int = 0, job: Job? = nil) {
        let finished = finishedAt == nil ? 0 : 1
        sql.append("""
            INSERT INTO messages(aibotid, msgid, botid, msgtype, stream_id, created_at)
              VALUES ('aibOPS', 'm-\(id)', 'aibOPS', 'text', '\(id)', \(created));
            INSERT INTO streams(id, botid, aibotid, msgid, msgtype, chattype, userid, state, content, finished, error,
              response_url, created_at, updated_at, finished_at)
              VALUES ('\(id)', 'aibOPS', 'aibOPS', 'm-\(id)', 'text', 'single', 'zhangsan', '\(state)', \(Self.text(content)),
                \(finished), \(Self.text(error)), \(Self.text(responseURL)), \(created), \(finishedAt ?? created),
                \(Self.number(finishedAt)));
            """)
        for position in 0..<images {
            sql.append("""
                INSERT INTO stream_images(stream_id, position, md5, bytes, data)
                  VALUES ('\(id)', \(position), 'md5', 3, x'010203');
                """)
        }
        if let job {
            sql.append("""
                INSERT INTO jobs(stream_id, state, payload, attempts, max_attempts, run_at, lease_owner, lease_until,
                  last_error, created_at, updated_at, finished_at)
                  VALUES ('\(id)', '\(job.state)', '{}', \(job.attempts), 3, \(job.runAt),
                    \(job.leaseUntil == nil ? "NULL" : "'worker-1'"), \(Self.number(job.leaseUntil)),
                    \(Self.text(job.lastError)), \(created), \(job.finishedAt ?? created), \(Self.number(job.finishedAt)));
                """)
        }
    }

    func write(to database: String) throws {
        try sqlite(database, "BEGIN; " + sql.joined(separator: "\n") + " COMMIT;")
    }

    /// Writes the rows to either backend: the image bytes (SQLite's `x'…'`) in its dialect.
    func write(to database: StackDatabase) throws {
        let rows = sql.joined(separator: "\n")
            .replacingOccurrences(of: "x'010203'", with: database.backend.blobLiteral(hex: "010203"))
        try database.query("BEGIN; " + rows + " COMMIT;")
    }

    private static func text(_ value: String?) -> String {
        value.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
    }

    private static func number(_ value: Int64?) -> String {
        value.map(String.init) ?? "NULL"
    }
}
