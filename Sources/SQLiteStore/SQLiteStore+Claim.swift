import BotStore

/// Claiming jobs: the one write that hands a due job to exactly one worker, and when the
/// next one falls due.
///
/// A job is due when it is `queued` with `run_at <= now`, or `running` with `lease_until < now`
/// (its worker died or stalled). The lease covers `lease_until` itself.
extension SQLiteStore {
    /// Picks the due job that became due first and leases it, inside one `BEGIN IMMEDIATE`.
    ///
    /// The write lock is held before the subquery picks the row, so two connections (or
    /// processes) never claim the same job (docs/systems.md §3.6). Each branch of the subquery
    /// reads its partial index (`jobs_ready`, `jobs_leases`) in order and stops at one row;
    /// an `OR` over both states would sort every due job on each claim instead. The stream
    /// fields are read in the same transaction.
    public func claimJob(owner: String, now: Int64, lease: Int64) throws -> ClaimedJob? {
        try connection.transaction {
            guard let jobID = try leaseNextDueJob(owner: owner, now: now, leaseUntil: now + lease) else {
                return nil
            }
            guard let job = try claimedJob(id: jobID) else {
                throw StoreError.notFound("stream of job \(jobID)")
            }
            return job
        }
    }

    /// The claim UPDATE; returns the id of the job it leased, or nil when none is due.
    /// Stepped until done: the RETURNING row comes before the statement completes.
    private func leaseNextDueJob(owner: String, now: Int64, leaseUntil: Int64) throws -> Int64? {
        let sql = """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?2, lease_until = ?3,
              updated_at = ?1
            WHERE id = (
              SELECT id FROM (
                SELECT * FROM (SELECT id, run_at AS due FROM jobs
                               WHERE state = 'queued' AND run_at <= ?1 ORDER BY run_at, id LIMIT 1)
                UNION ALL
                SELECT * FROM (SELECT id, lease_until AS due FROM jobs
                               WHERE state = 'running' AND lease_until < ?1 ORDER BY lease_until, id LIMIT 1)
              ) ORDER BY due, id LIMIT 1)
            RETURNING id
            """
        return try connection.withStatement(sql) { statement in
            try statement.bind(now, owner, leaseUntil)
            var leased: Int64?
            while try statement.step() { leased = statement.int64(0) }
            return leased
        }
    }

    /// The leased job joined with its stream; nil only if the stream row is missing.
    private func claimedJob(id: Int64) throws -> ClaimedJob? {
        let sql = """
            SELECT j.id, j.stream_id, j.payload, j.attempts, j.max_attempts, s.botid, s.aibotid, s.agent,
              s.chatid, s.userid, s.response_url, s.created_at, j.lease_until
            FROM jobs j JOIN streams s ON s.id = j.stream_id
            WHERE j.id = ?
            """
        return try connection.withStatement(sql) { row in
            try row.bind(id)
            guard try row.step() else { return nil }
            return ClaimedJob(id: row.int64(0), streamID: row.text(1), payload: row.text(2),
                              attempts: Int(row.int64(3)), maxAttempts: Int(row.int64(4)), botID: row.text(5),
                              aibotID: row.text(6), agent: row.optionalText(7), chatID: row.optionalText(8),
                              userID: row.text(9), responseURL: row.optionalText(10), messageAt: row.int64(11),
                              leaseUntil: row.int64(12))
        }
    }

    /// The first `now` at which ``claimJob(owner:now:lease:)`` finds a job: the earliest queued
    /// `run_at`, or the earliest running `lease_until + 1`. It may lie in the past (jobs are
    /// waiting). Nil when nothing is queued or running. Two `min()`s on the partial indexes.
    public func nextJobDue() throws -> Int64? {
        let sql = """
            SELECT min(due) FROM (
              SELECT min(run_at) AS due FROM jobs WHERE state = 'queued'
              UNION ALL
              SELECT min(lease_until) + 1 FROM jobs WHERE state = 'running')
            """
        return try connection.withStatement(sql) { statement in
            try statement.step() ? statement.optionalInt64(0) : nil
        }
    }
}
