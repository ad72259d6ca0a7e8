import BotStore

/// The operator's read side: status counts, one stream in detail, the job list. Each method is
/// one statement, so one consistent snapshot, and takes no lock a writer waits for. Times come
/// back on the caller's clock.
extension PostgresStore {
    /// ``jobColumns`` with every time on the caller's clock, `$1` being the caller's now.
    private var jobColumns: String {
        let time = { (column: String) in self.clock.callerTime(column, callerNow: "$1") }
        return """
            j.id, j.stream_id, j.state, j.attempts, j.max_attempts, \(time("j.run_at")), j.lease_owner,
              \(time("j.lease_until")), j.last_error, \(time("j.created_at")), \(time("j.updated_at")),
              \(time("j.finished_at"))
            """
    }

    public func schemaVersion() throws -> Int {
        try read { try storedVersion() }
    }

    /// Counts come from scans of `jobs` and `streams` (short columns); the queued and running
    /// figures use the partial indexes. Ages and due times are judged by the database's clock.
    public func statusReport(now: Int64) throws -> StatusReport {
        let dbNow = clock.now("$1")
        let sql = """
            SELECT 'job', state, count(*) FROM jobs GROUP BY state
            UNION ALL SELECT 'stream', state, count(*) FROM streams GROUP BY state
            UNION ALL SELECT 'oldest', NULL, \(dbNow) - min(created_at) FROM jobs WHERE state = 'queued'
            UNION ALL SELECT 'due', NULL, count(*) FROM jobs WHERE state = 'queued' AND run_at <= \(dbNow)
            UNION ALL SELECT 'expired', NULL, count(*) FROM jobs WHERE state = 'running' AND lease_until < \(dbNow)
            """
        return try read {
            let rows = try connection.query(sql, now)
            var report = StatusReport(jobs: Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) }),
                                      streams: Dictionary(uniqueKeysWithValues: StreamState.allCases.map { ($0, 0) }),
                                      oldestQueuedAge: nil, dueJobs: 0, expiredLeases: 0)
            for row in 0..<rows.rowCount {
                let count = rows.optionalInt64(row, 2)
                switch rows.text(row, 0) {
                case "job": report.jobs[try JobState(stored: rows.text(row, 1))] = Int(count ?? 0)
                case "stream": report.streams[try StreamState(stored: rows.text(row, 1))] = Int(count ?? 0)
                case "oldest": report.oldestQueuedAge = count.map { max(0, $0) }
                case "due": report.dueJobs = Int(count ?? 0)
                default: report.expiredLeases = Int(count ?? 0)
                }
            }
            return report
        }
    }

    public func streamDetail(id: String) throws -> StreamDetail? {
        let time = { (column: String) in self.clock.callerTime(column, callerNow: "$1") }
        let sql = """
            SELECT s.id, s.botid, s.aibotid, s.msgid, s.msgtype, s.chatid, s.userid, s.agent, s.state, s.finished,
              s.content, s.error, (SELECT count(*) FROM stream_images i WHERE i.stream_id = s.id), s.response_url,
              \(time("s.response_posted_at")), \(time("s.created_at")), \(time("s.updated_at")), \(time("s.finished_at")),
              \(jobColumns)
            FROM streams s LEFT JOIN jobs j ON j.stream_id = s.id
            WHERE s.id = $2
            """
        return try read {
            let rows = try connection.query(sql, hostClock(), id)
            guard rows.rowCount > 0 else { return nil }
            return StreamDetail(
                id: rows.text(0, 0), botID: rows.text(0, 1), aibotID: rows.text(0, 2), msgID: rows.text(0, 3),
                msgType: rows.text(0, 4), chatID: rows.optionalText(0, 5), userID: rows.text(0, 6),
                agent: rows.optionalText(0, 7), state: try StreamState(stored: rows.text(0, 8)),
                finished: rows.int64(0, 9) != 0, content: rows.text(0, 10), error: rows.optionalText(0, 11),
                imageCount: Int(rows.int64(0, 12)), responseURL: rows.optionalText(0, 13),
                responsePostedAt: rows.optionalInt64(0, 14), createdAt: rows.int64(0, 15), updatedAt: rows.int64(0, 16),
                finishedAt: rows.optionalInt64(0, 17), job: rows.isNull(0, 18) ? nil : try Self.jobSummary(rows, 0, from: 18))
        }
    }

    public func jobs(state: JobState?, limit: Int) throws -> [JobSummary] {
        let sql = "SELECT \(jobColumns) FROM jobs j WHERE $2 IS NULL OR j.state = $2 ORDER BY j.id DESC LIMIT $3"
        return try read {
            let rows = try connection.query(sql, hostClock(), state?.rawValue, max(1, limit))
            return try (0..<rows.rowCount).map { try Self.jobSummary(rows, $0, from: 0) }
        }
    }

    /// Reads ``jobColumns`` of `row` starting at column `first`.
    static func jobSummary(_ rows: PostgresResult, _ row: Int, from first: Int) throws -> JobSummary {
        let c = first
        return JobSummary(id: rows.int64(row, c), streamID: rows.text(row, c + 1),
                          state: try JobState(stored: rows.text(row, c + 2)),
                          attempts: Int(rows.int64(row, c + 3)), maxAttempts: Int(rows.int64(row, c + 4)),
                          runAt: rows.int64(row, c + 5), leaseOwner: rows.optionalText(row, c + 6),
                          leaseUntil: rows.optionalInt64(row, c + 7), lastError: rows.optionalText(row, c + 8),
                          createdAt: rows.int64(row, c + 9), updatedAt: rows.int64(row, c + 10),
                          finishedAt: rows.optionalInt64(row, c + 11))
    }

}
