import BotStore

/// The operator's read side: status counts, one stream in detail, the job list. Each method is
/// one statement, so one consistent snapshot, and none takes the write lock.
extension SQLiteStore {
    static let jobColumns = """
        j.id, j.stream_id, j.state, j.attempts, j.max_attempts, j.run_at, j.lease_owner, j.lease_until,
          j.last_error, j.created_at, j.updated_at, j.finished_at
        """

    public func schemaVersion() throws -> Int {
        try userVersion()
    }

    /// Counts come from full scans of `jobs` and `streams` (cheap reads of short columns);
    /// the queued and running figures use the partial indexes.
    public func statusReport(now: Int64) throws -> StatusReport {
        let sql = """
            SELECT 'job', state, count(*) FROM jobs GROUP BY state
            UNION ALL SELECT 'stream', state, count(*) FROM streams GROUP BY state
            UNION ALL SELECT 'oldest', NULL, ?1 - min(created_at) FROM jobs WHERE state = 'queued'
            UNION ALL SELECT 'due', NULL, count(*) FROM jobs WHERE state = 'queued' AND run_at <= ?1
            UNION ALL SELECT 'expired', NULL, count(*) FROM jobs WHERE state = 'running' AND lease_until < ?1
            """
        return try connection.withStatement(sql) { row in
            try row.bind(now)
            var report = StatusReport(jobs: Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) }),
                                      streams: Dictionary(uniqueKeysWithValues: StreamState.allCases.map { ($0, 0) }),
                                      oldestQueuedAge: nil, dueJobs: 0, expiredLeases: 0)
            while try row.step() {
                let count = row.optionalInt64(2)
                switch row.text(0) {
                case "job": report.jobs[try JobState(stored: row.text(1))] = Int(count ?? 0)
                case "stream": report.streams[try StreamState(stored: row.text(1))] = Int(count ?? 0)
                case "oldest": report.oldestQueuedAge = count.map { max(0, $0) }
                case "due": report.dueJobs = Int(count ?? 0)
                default: report.expiredLeases = Int(count ?? 0)
                }
            }
            return report
        }
    }

    public func streamDetail(id: String) throws -> StreamDetail? {
        let sql = """
            SELECT s.id, s.botid, s.aibotid, s.msgid, s.msgtype, s.chatid, s.userid, s.agent, s.state, s.finished,
              s.content, s.error, (SELECT count(*) FROM stream_images i WHERE i.stream_id = s.id), s.response_url,
              s.response_posted_at, s.created_at, s.updated_at, s.finished_at, \(Self.jobColumns)
            FROM streams s LEFT JOIN jobs j ON j.stream_id = s.id
            WHERE s.id = ?
            """
        return try connection.withStatement(sql) { row in
            try row.bind(id)
            guard try row.step() else { return nil }
            return StreamDetail(
                id: row.text(0), botID: row.text(1), aibotID: row.text(2), msgID: row.text(3), msgType: row.text(4),
                chatID: row.optionalText(5), userID: row.text(6), agent: row.optionalText(7),
                state: try StreamState(stored: row.text(8)), finished: row.int64(9) != 0, content: row.text(10),
                error: row.optionalText(11), imageCount: Int(row.int64(12)), responseURL: row.optionalText(13),
                responsePostedAt: row.optionalInt64(14), createdAt: row.int64(15), updatedAt: row.int64(16),
                finishedAt: row.optionalInt64(17), job: row.isNull(18) ? nil : try Self.jobSummary(row, from: 18))
        }
    }

    public func jobs(state: JobState?, limit: Int) throws -> [JobSummary] {
        let sql = "SELECT \(Self.jobColumns) FROM jobs j WHERE ?1 IS NULL OR j.state = ?1 ORDER BY j.id DESC LIMIT ?2"
        return try connection.withStatement(sql) { row in
            try row.bind(state?.rawValue, max(1, limit))
            var jobs: [JobSummary] = []
            while try row.step() { jobs.append(try Self.jobSummary(row, from: 0)) }
            return jobs
        }
    }

    /// Reads ``jobColumns`` starting at column `first`.
    static func jobSummary(_ row: SQLiteStatement, from first: Int32) throws -> JobSummary {
        let c = first
        return JobSummary(id: row.int64(c), streamID: row.text(c + 1), state: try JobState(stored: row.text(c + 2)),
                          attempts: Int(row.int64(c + 3)), maxAttempts: Int(row.int64(c + 4)), runAt: row.int64(c + 5),
                          leaseOwner: row.optionalText(c + 6), leaseUntil: row.optionalInt64(c + 7),
                          lastError: row.optionalText(c + 8), createdAt: row.int64(c + 9), updatedAt: row.int64(c + 10),
                          finishedAt: row.optionalInt64(c + 11))
    }

}
