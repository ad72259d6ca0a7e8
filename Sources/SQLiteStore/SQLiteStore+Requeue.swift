import BotStore

/// The operator's write on single rows: a job back in the queue.
extension SQLiteStore {
    /// One `BEGIN IMMEDIATE`: reads the job's state, and for a `done` or `dead` job requeues it
    /// and reopens its stream (its images deleted). `response_posted_at` is kept: WeCom's
    /// response_url works once, so a stream that already used it cannot use it again. A
    /// long-connection stream whose frames have ended gets its new answer by `aibot_send_msg`
    /// (``pushAfterRequeue``).
    public func requeueJob(id: Int64, now: Int64) throws -> RequeueResult {
        try connection.transaction {
            let found = try connection.withStatement("SELECT state, stream_id FROM jobs WHERE id = ?") { row in
                try row.bind(id)
                return try row.step() ? (try JobState(stored: row.text(0)), row.text(1)) : nil
            }
            guard let (state, streamID) = found else { return .notFound }
            guard state == .done || state == .dead else { return .notRetryable(state) }
            let requeue = """
                UPDATE jobs SET state = 'queued', run_at = ?1, attempts = 0, lease_owner = NULL, lease_until = NULL,
                  finished_at = NULL, updated_at = ?1
                WHERE id = ?2
                """
            try connection.withStatement(requeue) { try $0.bind(now, id); try $0.run() }
            let reopen = """
                UPDATE streams SET state = 'pending', finished = 0, content = '', error = NULL, finished_at = NULL,
                  updated_at = ?1
                WHERE id = ?2
                """
            try connection.withStatement(reopen) { try $0.bind(now, streamID); try $0.run() }
            try connection.withStatement(Self.pushAfterRequeue) { try $0.bind(now, streamID); try $0.run() }
            try replaceImages(of: streamID, with: [])
            return .requeued(from: state, streamID: streamID)
        }
    }

    /// The push state of a requeued stream, `?1` now, `?2` the stream: WeCom takes no stream frame
    /// after the final one, so a stream whose frames ended delivers the new answer as the
    /// fallback does, from its first part. A stream still streaming just goes on.
    static let pushAfterRequeue = """
        UPDATE ws_streams SET phase = 'ended', fallback = 1, follow_ups_sent = 0, push_seq = push_seq + 1, updated_at = ?1
        WHERE stream_id = ?2 AND phase <> 'streaming'
        """
}
