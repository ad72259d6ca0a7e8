import BotStore

/// The operator's write on single rows: a job back in the queue.
extension PostgresStore {
    /// One transaction: locks the job row and reads its state; a `done` or `dead` job is
    /// requeued and its stream reopened (its images deleted), and the COMMIT carries the job
    /// `NOTIFY`. `response_posted_at` is kept: WeCom's response_url works once. A long-connection
    /// stream whose frames have ended gets its new answer by `aibot_send_msg`.
    public func requeueJob(id: Int64, now: Int64) throws -> RequeueResult {
        let dbNow = clock.now("$2")
        let requeue = """
            UPDATE jobs SET state = 'queued', run_at = \(dbNow), attempts = 0, lease_owner = NULL, lease_until = NULL,
              finished_at = NULL, updated_at = \(dbNow)
            WHERE id = $1
            """
        let reopen = """
            UPDATE streams SET state = 'pending', finished = 0, content = '', error = NULL, finished_at = NULL,
              updated_at = \(dbNow)
            WHERE id = $1
            """
        // WeCom takes no stream frame after the final one: a long-connection stream whose frames
        // ended delivers the new answer as the fallback does, from its first part.
        let pushAfterRequeue = """
            UPDATE ws_streams SET phase = 'ended', fallback = 1, follow_ups_sent = 0, push_seq = push_seq + 1,
              updated_at = \(dbNow)
            WHERE stream_id = $1 AND phase <> 'streaming'
            """
        return try write {
            try connection.transaction {
                let row = try connection.query("SELECT state, stream_id FROM jobs WHERE id = $1 FOR UPDATE", id)
                guard row.rowCount == 1 else { return .notFound }
                let state = try JobState(stored: row.text(0, 0)), streamID = row.text(0, 1)
                guard state == .done || state == .dead else { return .notRetryable(state) }
                _ = try connection.query(requeue, id, now)
                _ = try connection.query(reopen, streamID, now)
                _ = try connection.query(pushAfterRequeue, streamID, now)
                try replaceImages(of: streamID, with: [])
                connection.notifyAtCommit(settings.jobChannel)
                return .requeued(from: state, streamID: streamID)
            }
        }
    }
}
