import BotStore

/// Deleting old rows in bounded write transactions, so responders and workers wait at most one
/// batch for the write lock. A stream's push state (`ws_streams`) goes with it (foreign key).
extension SQLiteStore {
    /// A finished stream is purgeable when it was created and finished before `?1` and its job
    /// (if any) is neither queued, running, nor finished at or after `?1`. A stream closed early
    /// at the 6-minute deadline is finished while its job still runs: the job guard keeps it.
    ///
    /// Streams are walked in rowid order, which is commit order, so old streams come first and
    /// no index on `created_at` is needed (migration 5 dropped it from the insert path): rowids
    /// after `?3` (the last one a previous batch took) and before `?4` (the first stream created
    /// at or after `?1`). A stream that committed after a younger one (processes' clocks, lock
    /// waits) is left for the next purge.
    static let purgeableStreams = """
        SELECT s.id, s.rowid FROM streams s
        WHERE s.rowid > ?3 AND s.rowid < ?4
          AND s.created_at < ?1 AND s.finished = 1 AND s.finished_at < ?1 AND s.state IN ('finished', 'failed')
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.stream_id = s.id
                          AND (j.state IN ('queued', 'running') OR coalesce(j.finished_at, j.updated_at) >= ?1))
        ORDER BY s.rowid LIMIT ?2
        """

    public func purge(olderThan cutoff: Int64, batch: Int) throws -> PurgeCounts {
        let batch = max(1, batch)
        var counts = PurgeCounts()
        try connection.execute("""
            CREATE TEMP TABLE IF NOT EXISTS purge_batch(id TEXT PRIMARY KEY, stream_rowid INTEGER NOT NULL) WITHOUT ROWID
            """)
        defer { try? connection.execute("DROP TABLE IF EXISTS temp.purge_batch") }
        let before = try connection.withStatement("SELECT rowid FROM streams WHERE created_at >= ?1 ORDER BY rowid LIMIT 1") {
            try $0.bind(cutoff)
            return try $0.step() ? $0.int64(0) : Int64.max
        }
        var after: Int64 = 0
        while let last = try purgeStreamBatch(cutoff: cutoff, batch: batch, after: after, before: before, into: &counts) {
            after = last
        }
        // The `done`/`dead` jobs finished before the cutoff whose stream was kept (not finished).
        counts.jobs += try deleteInBatches("""
            DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
              WHERE state IN ('done', 'dead') AND coalesce(finished_at, updated_at) < ?1 LIMIT ?2)
            """, cutoff: cutoff, batch: batch, batches: &counts.batches)
        // The messages the bot sent first that were sent, failed or cancelled before the cutoff.
        counts.outbound += try deleteInBatches("""
            DELETE FROM outbound_messages WHERE id IN (SELECT id FROM outbound_messages
              WHERE (state = 'sent' OR state = 'failed' OR state = 'cancelled') AND finished_at < ?1 LIMIT ?2)
            """, cutoff: cutoff, batch: batch, batches: &counts.batches)
        return counts
    }

    /// Runs the DELETE `sql` (`?1` cutoff, `?2` batch size), one transaction each time, until it
    /// deletes less than a batch; returns the rows deleted, and counts the transactions that
    /// deleted some in `batches`.
    private func deleteInBatches(_ sql: String, cutoff: Int64, batch: Int, batches: inout Int) throws -> Int {
        var total = 0
        while true {
            let deleted = try connection.transaction {
                try connection.withStatement(sql) { statement in
                    try statement.bind(cutoff, batch)
                    try statement.run()
                    return connection.changes
                }
            }
            guard deleted > 0 else { break }
            total += deleted
            batches += 1
            guard deleted == batch else { break }
        }
        return total
    }

    /// One transaction: picks up to `batch` purgeable streams with a rowid in (`after`, `before`),
    /// counts what their deletion takes along (SQLite counts neither cascaded nor triggered
    /// rows), deletes them. Returns the last rowid taken when the batch was full, so that the
    /// next batch goes on from there; nil when the walk is done.
    private func purgeStreamBatch(cutoff: Int64, batch: Int, after: Int64, before: Int64,
                                  into counts: inout PurgeCounts) throws -> Int64? {
        let deleted = try connection.transaction { () -> (streams: Int, messages: Int, images: Int, jobs: Int, last: Int64) in
            try connection.withStatement("DELETE FROM temp.purge_batch") { try $0.run() }
            try connection.withStatement("INSERT INTO temp.purge_batch(id, stream_rowid) \(Self.purgeableStreams)") {
                try $0.bind(cutoff, batch, after, before)
                try $0.run()
            }
            guard connection.changes > 0 else { return (0, 0, 0, 0, after) }
            // Messages through their primary key: the stream row holds the same (aibotid, msgid).
            let taken = """
                SELECT (SELECT count(*) FROM temp.purge_batch b JOIN streams s ON s.id = b.id
                          JOIN messages m ON m.aibotid = s.aibotid AND m.msgid = s.msgid AND m.stream_id = s.id),
                  (SELECT count(*) FROM stream_images WHERE stream_id IN (SELECT id FROM temp.purge_batch)),
                  (SELECT count(*) FROM jobs WHERE stream_id IN (SELECT id FROM temp.purge_batch)),
                  (SELECT max(stream_rowid) FROM temp.purge_batch)
                """
            let (messages, images, jobs, last) = try connection.withStatement(taken) { row in
                _ = try row.step()
                return (Int(row.int64(0)), Int(row.int64(1)), Int(row.int64(2)), row.int64(3))
            }
            let streams = try connection.withStatement("DELETE FROM streams WHERE id IN (SELECT id FROM temp.purge_batch)") {
                try $0.run()
                return connection.changes
            }
            return (streams, messages, images, jobs, last)
        }
        guard deleted.streams > 0 else { return nil }
        counts.streams += deleted.streams
        counts.messages += deleted.messages
        counts.images += deleted.images
        counts.jobs += deleted.jobs
        counts.batches += 1
        return deleted.streams == batch ? deleted.last : nil
    }
}
