import BotStore

/// The writes of a worker holding a job. Each is guarded by the lease: it changes something only
/// while the job is `running` and `lease_owner` is the caller, and otherwise returns false and
/// changes nothing. Under READ COMMITTED an UPDATE that waited for another transaction's row
/// lock checks its WHERE again on the row that transaction left, so a worker whose job was
/// re-claimed meanwhile cannot overwrite the new owner's work.
extension PostgresStore {
    /// The guard every lease-holder write ends with: the job id, then the owner.
    private static func ownedJob(_ id: String, _ owner: String) -> String {
        "id = \(id) AND lease_owner = \(owner) AND state = 'running'"
    }

    /// All `updates` in one transaction, each one statement: the lease renewed and, unless the
    /// stream is finished (closed early), its content replaced and marked `streaming`. The commit
    /// does not wait for the disk (`synchronous_commit = off`): a crash of the database loses at
    /// most the last fraction of a second of text, which the next write replaces anyway.
    /// Repeatable after a lost connection: it writes the same values again.
    public func writeProgress(_ updates: [ProgressUpdate], now: Int64) throws -> [Int64] {
        guard !updates.isEmpty else { return [] }
        let dbNow = clock.now("$5")
        let sql = """
            WITH j AS (
              UPDATE jobs SET lease_until = \(clock.databaseTime("$3", callerNow: "$5")), updated_at = \(dbNow)
              WHERE \(Self.ownedJob("$1", "$2")) RETURNING stream_id),
            s AS (
              UPDATE streams SET content = $4, updated_at = \(dbNow), state = 'streaming'
              WHERE $4 IS NOT NULL AND finished = 0 AND id IN (SELECT stream_id FROM j))
            SELECT count(*) FROM j
            """
        return try write(repeatable: true) {
            try connection.transaction("BEGIN; SET LOCAL synchronous_commit = off") {
                try updates.filter { update in
                    let result = try connection.query(sql, update.jobID, update.owner, update.leaseUntil, update.content, now)
                    return result.int64(0, 0) == 0
                }.map(\.jobID)
            }
        }
    }

    /// One UPDATE of the lease. Repeatable: it sets the same end again.
    public func renewLease(jobID: Int64, owner: String, leaseUntil: Int64, now: Int64) throws -> Bool {
        let sql = """
            UPDATE jobs SET lease_until = \(clock.databaseTime("$3", callerNow: "$4")), updated_at = \(clock.now("$4"))
            WHERE \(Self.ownedJob("$1", "$2"))
            """
        return try write(repeatable: true) {
            try connection.query(sql, jobID, owner, leaseUntil, now).changedRows > 0
        }
    }

    /// In one transaction: the job becomes `done` or `dead` (lease cleared, `last_error`
    /// recorded) and its stream gets its final content and images (at most 10) and becomes
    /// `finished`, or `failed` with the error. A stream closed early keeps its `finished_at`.
    public func finishJob(jobID: Int64, owner: String, outcome: JobOutcome, now: Int64) throws -> Bool {
        let dbNow = clock.now("$5")
        let finishJob = """
            UPDATE jobs SET state = $3, finished_at = \(dbNow), last_error = $4, lease_owner = NULL, lease_until = NULL,
              updated_at = \(dbNow)
            WHERE \(Self.ownedJob("$1", "$2")) RETURNING stream_id
            """
        let finishStream = """
            UPDATE streams SET content = $2, state = $3, error = $4, finished = 1,
              finished_at = coalesce(finished_at, \(clock.now("$5"))), updated_at = \(clock.now("$5"))
            WHERE id = $1
            """
        let failed = outcome.kind == .dead
        return try write {
            try connection.transaction {
                let job = try connection.query(finishJob, jobID, owner, outcome.kind.rawValue, outcome.error, now)
                guard job.rowCount == 1 else { return false }
                let streamID = job.text(0, 0)
                let state: StreamState = failed ? .failed : .finished
                _ = try connection.query(finishStream, streamID, outcome.content, state.rawValue,
                                         failed ? outcome.error : nil, now)
                try replaceImages(of: streamID, with: outcome.images.prefix(10))
                return true
            }
        }
    }

    /// One UPDATE: back to `queued` at `runAt` (as far from the database's now as from the
    /// caller's), lease cleared, error recorded. The stream is left as it is.
    public func retryJob(jobID: Int64, owner: String, runAt: Int64, error: String, now: Int64) throws -> Bool {
        let sql = """
            UPDATE jobs SET state = 'queued', run_at = \(clock.databaseTime("$3", callerNow: "$5")), last_error = $4,
              lease_owner = NULL, lease_until = NULL, updated_at = \(clock.now("$5"))
            WHERE \(Self.ownedJob("$1", "$2"))
            """
        return try write {
            try connection.query(sql, jobID, owner, runAt, error, now).changedRows > 0
        }
    }

    /// One statement: locks the job row while the lease is the owner's, and finishes its stream
    /// with `content` if it is still open. The job keeps running under the same lease. True while
    /// the lease is the owner's, also when the stream was already finished (then nothing is
    /// written). Repeatable: a second run finds the stream finished.
    public func closeStreamEarly(jobID: Int64, owner: String, content: String, now: Int64) throws -> Bool {
        let dbNow = clock.now("$4")
        let sql = """
            WITH j AS (SELECT stream_id FROM jobs WHERE \(Self.ownedJob("$1", "$2")) FOR UPDATE),
            s AS (
              UPDATE streams SET content = $3, state = 'finished', finished = 1, finished_at = \(dbNow),
                updated_at = \(dbNow)
              WHERE finished = 0 AND id IN (SELECT stream_id FROM j))
            SELECT count(*) FROM j
            """
        return try write(repeatable: true) {
            try connection.query(sql, jobID, owner, content, now).int64(0, 0) > 0
        }
    }

    /// One UPDATE that only the first caller (on any host) wins: it stamps `response_posted_at`.
    /// False for later calls and for an unknown stream.
    public func claimResponseDelivery(streamID: String, now: Int64) throws -> Bool {
        let sql = "UPDATE streams SET response_posted_at = \(clock.now("$2")) WHERE id = $1 AND response_posted_at IS NULL"
        return try write {
            try connection.query(sql, streamID, now).changedRows > 0
        }
    }
}
