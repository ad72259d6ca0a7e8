import BotStore

/// The writes of a worker holding a job. Each is guarded by the lease: it changes something
/// only while the job is `running` and `lease_owner` is the caller, and otherwise returns
/// false and changes nothing. A worker whose lease expired and was re-claimed by another
/// worker therefore cannot overwrite the new owner's work.
extension SQLiteStore {
    /// The guard every lease-holder write ends with; binds the job id, then the owner.
    private static let ownedJob = "id = ? AND lease_owner = ? AND state = 'running'"

    /// In one `BEGIN IMMEDIATE`: renews the lease and, unless the stream is already finished
    /// (closed early), replaces its content and marks it `streaming`. A finished stream keeps
    /// its content, and the result is still true: the lease was renewed. Not in ``BotStore``:
    /// the worker writes progress in batches; tests use this one to drive a single job.
    public func writeProgress(jobID: Int64, owner: String, content: String, leaseUntil: Int64,
                              now: Int64) throws -> Bool {
        try connection.transaction {
            guard let streamID = try renewOwnedLease(jobID: jobID, owner: owner, leaseUntil: leaseUntil, now: now) else {
                return false
            }
            try updateStream(id: streamID, content: content, now: now)
            return true
        }
    }

    /// All `updates` in one `BEGIN IMMEDIATE`, each guarded like the single write above.
    public func writeProgress(_ updates: [ProgressUpdate], now: Int64) throws -> [Int64] {
        guard !updates.isEmpty else { return [] }
        return try connection.transaction {
            var lost: [Int64] = []
            for update in updates {
                guard let streamID = try renewOwnedLease(jobID: update.jobID, owner: update.owner,
                                                         leaseUntil: update.leaseUntil, now: now) else {
                    lost.append(update.jobID)
                    continue
                }
                if let content = update.content { try updateStream(id: streamID, content: content, now: now) }
            }
            return lost
        }
    }

    /// One autocommit UPDATE of the lease.
    public func renewLease(jobID: Int64, owner: String, leaseUntil: Int64, now: Int64) throws -> Bool {
        try renewOwnedLease(jobID: jobID, owner: owner, leaseUntil: leaseUntil, now: now) != nil
    }

    /// Returns the job's stream id when the lease was renewed, nil when it is not the owner's.
    private func renewOwnedLease(jobID: Int64, owner: String, leaseUntil: Int64, now: Int64) throws -> String? {
        let sql = "UPDATE jobs SET lease_until = ?, updated_at = ? WHERE \(Self.ownedJob) RETURNING stream_id"
        return try connection.withStatement(sql) { statement in
            try statement.bind(leaseUntil, now, jobID, owner)
            return try Self.returnedText(statement)
        }
    }

    /// In one `BEGIN IMMEDIATE`: the job becomes `done` or `dead` (lease cleared, `last_error`
    /// recorded) and its stream gets its final content and images (at most 10) and becomes
    /// `finished`, or `failed` with the error. A stream closed early keeps its `finished_at`
    /// (when WeCom saw it end) but records the full answer, so operators can read it.
    public func finishJob(jobID: Int64, owner: String, outcome: JobOutcome, now: Int64) throws -> Bool {
        try connection.transaction {
            let sql = """
                UPDATE jobs SET state = ?, finished_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
                  updated_at = ?
                WHERE \(Self.ownedJob) RETURNING stream_id
                """
            let streamID = try connection.withStatement(sql) { statement in
                try statement.bind(outcome.kind.rawValue, now, outcome.error, now, jobID, owner)
                return try Self.returnedText(statement)
            }
            guard let streamID else { return false }
            try finishStream(id: streamID, outcome: outcome, now: now)
            try replaceImages(of: streamID, with: outcome.images.prefix(10))
            return true
        }
    }

    private func finishStream(id: String, outcome: JobOutcome, now: Int64) throws {
        let failed = outcome.kind == .dead
        let sql = """
            UPDATE streams SET content = ?, state = ?, error = ?, finished = 1,
              finished_at = coalesce(finished_at, ?), updated_at = ?
            WHERE id = ?
            """
        try connection.withStatement(sql) { statement in
            let state: StreamState = failed ? .failed : .finished
            try statement.bind(outcome.content, state.rawValue, failed ? outcome.error : nil, now, now, id)
            try statement.run()
        }
    }

    /// One autocommit UPDATE: back to `queued` at `runAt`, lease cleared, error recorded.
    /// The stream is left as it is.
    public func retryJob(jobID: Int64, owner: String, runAt: Int64, error: String, now: Int64) throws -> Bool {
        let sql = """
            UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
              updated_at = ?
            WHERE \(Self.ownedJob)
            """
        return try connection.withStatement(sql) { statement in
            try statement.bind(runAt, error, now, jobID, owner)
            try statement.run()
            return connection.changes > 0
        }
    }

    /// In one `BEGIN IMMEDIATE`: checks the lease, then finishes the stream with `content` if
    /// it is still open. The job keeps running under the same lease. True while the lease is
    /// the owner's, also when the stream was already finished (then nothing is written).
    public func closeStreamEarly(jobID: Int64, owner: String, content: String, now: Int64) throws -> Bool {
        try connection.transaction {
            let streamID = try connection.withStatement("SELECT stream_id FROM jobs WHERE \(Self.ownedJob)") {
                try $0.bind(jobID, owner)
                return try $0.step() ? $0.text(0) : nil
            }
            guard let streamID else { return false }
            let sql = """
                UPDATE streams SET content = ?, state = 'finished', finished = 1, finished_at = ?, updated_at = ?
                WHERE id = ? AND finished = 0
                """
            try connection.withStatement(sql) { statement in
                try statement.bind(content, now, now, streamID)
                try statement.run()
            }
            return true
        }
    }

    /// One autocommit UPDATE that only the first caller (in any process) wins: it stamps
    /// `response_posted_at`. False for later calls and for an unknown stream.
    public func claimResponseDelivery(streamID: String, now: Int64) throws -> Bool {
        let sql = "UPDATE streams SET response_posted_at = ? WHERE id = ? AND response_posted_at IS NULL"
        return try connection.withStatement(sql) { statement in
            try statement.bind(now, streamID)
            try statement.run()
            return connection.changes > 0
        }
    }

    /// Steps an `UPDATE … RETURNING <text>` of at most one row until done (the write completes
    /// only then) and returns the text, or nil when no row was updated.
    private static func returnedText(_ statement: SQLiteStatement) throws -> String? {
        var returned: String?
        while try statement.step() { returned = statement.text(0) }
        return returned
    }
}
