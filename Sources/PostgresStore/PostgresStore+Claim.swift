import BotStore

/// Claiming jobs: the one write that hands a due job to exactly one worker, and when the next
/// one falls due.
///
/// A job is due when it is `queued` with `run_at <= now`, or `running` with `lease_until < now`
/// (its worker died or stalled), `now` being the database's (``DatabaseClock``). The lease
/// covers `lease_until` itself.
extension PostgresStore {
    /// Picks the due job that became due first and leases it, in one UPDATE.
    ///
    /// Each branch reads its partial index (`jobs_ready`, `jobs_leases`) in order and locks the
    /// first row no other claimer holds (`FOR UPDATE SKIP LOCKED`), so claimers on any number of
    /// hosts never wait for each other and never take the same job; the earlier of the two is
    /// leased (a row the other branch locked is free again when the statement ends). The stream
    /// fields come back with the job, `messageAt` and `leaseUntil` on the caller's clock.
    public func claimJob(owner: String, now: Int64, lease: Int64) throws -> ClaimedJob? {
        let dbNow = clock.now("$3")
        let sql = """
            WITH queued AS (
              SELECT id, run_at AS due FROM jobs WHERE state = 'queued' AND run_at <= \(dbNow)
              ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),
            expired AS (
              SELECT id, lease_until AS due FROM jobs WHERE state = 'running' AND lease_until < \(dbNow)
              ORDER BY lease_until, id LIMIT 1 FOR UPDATE SKIP LOCKED),
            pick AS (
              SELECT id FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) due ORDER BY due, id LIMIT 1)
            UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, lease_owner = $1,
              lease_until = \(dbNow) + $2, updated_at = \(dbNow)
            FROM pick, streams s
            WHERE j.id = pick.id AND s.id = j.stream_id
            RETURNING j.id, j.stream_id, j.payload, j.attempts, j.max_attempts, s.botid, s.aibotid, s.agent, s.chatid,
              s.userid, s.response_url, \(clock.callerTime("s.created_at", callerNow: "$3")),
              \(clock.callerTime("j.lease_until", callerNow: "$3"))
            """
        return try write {
            let row = try connection.query(sql, owner, lease, now)
            guard row.rowCount == 1 else { return nil }
            return ClaimedJob(id: row.int64(0, 0), streamID: row.text(0, 1), payload: row.text(0, 2),
                              attempts: Int(row.int64(0, 3)), maxAttempts: Int(row.int64(0, 4)), botID: row.text(0, 5),
                              aibotID: row.text(0, 6), agent: row.optionalText(0, 7), chatID: row.optionalText(0, 8),
                              userID: row.text(0, 9), responseURL: row.optionalText(0, 10), messageAt: row.int64(0, 11),
                              leaseUntil: row.int64(0, 12))
        }
    }

    /// The first caller time at which ``claimJob(owner:now:lease:)`` finds a job: the earliest
    /// queued `run_at`, or the earliest running `lease_until + 1`, on the caller's clock. It may
    /// lie in the past (jobs are waiting). Nil when nothing is queued or running. Two `min()`s on
    /// the partial indexes.
    public func nextJobDue() throws -> Int64? {
        let sql = """
            SELECT \(clock.callerTime("min(due)", callerNow: "$1")) FROM (
              SELECT min(run_at) AS due FROM jobs WHERE state = 'queued'
              UNION ALL
              SELECT min(lease_until) + 1 FROM jobs WHERE state = 'running') d
            """
        return try read {
            try connection.query(sql, hostClock()).optionalInt64(0, 0)
        }
    }
}
