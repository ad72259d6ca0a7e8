import BotStore

/// Deleting old rows in bounded write transactions, so responders and workers wait at most one
/// batch for the write lock.
extension SQLiteStore {
    /// A finished stream is purgeable when it finished before `?1` and its job (if any) is
    /// neither queued, running, nor finished at or after `?1`. A stream closed early at the
    /// 6-minute deadline is finished while its job still runs: the job guard keeps it.
    /// Walks `streams_created` (a stream finishes after it is created).
    private static let purgeableStreams = """
        SELECT s.id FROM streams s
        WHERE s.created_at < ?1 AND s.finished = 1 AND s.finished_at < ?1 AND s.state IN ('finished', 'failed')
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.stream_id = s.id
                          AND (j.state IN ('queued', 'running') OR coalesce(j.finished_at, j.updated_at) >= ?1))
        ORDER BY s.created_at, s.id LIMIT ?2
        """

    public func purge(olderThan cutoff: Int64, batch: Int) throws -> PurgeCounts {
        let batch = max(1, batch)
        var counts = PurgeCounts()
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS purge_batch(id TEXT PRIMARY KEY) WITHOUT ROWID")
        defer { try? connection.execute("DROP TABLE IF EXISTS temp.purge_batch") }
        while try purgeStreamBatch(cutoff: cutoff, batch: batch, into: &counts) == batch {}
        while try purgeJobBatch(cutoff: cutoff, batch: batch, into: &counts) == batch {}
        return counts
    }

    /// One transaction: picks up to `batch` purgeable streams, counts what the delete cascades
    /// to (SQLite does not count cascaded rows), deletes them. Returns the streams deleted.
    private func purgeStreamBatch(cutoff: Int64, batch: Int, into counts: inout PurgeCounts) throws -> Int {
        let deleted = try connection.transaction { () -> (streams: Int, messages: Int, images: Int, jobs: Int) in
            try connection.withStatement("DELETE FROM temp.purge_batch") { try $0.run() }
            try connection.withStatement("INSERT INTO temp.purge_batch \(Self.purgeableStreams)") {
                try $0.bind(cutoff, batch)
                try $0.run()
            }
            guard connection.changes > 0 else { return (0, 0, 0, 0) }
            let cascaded = """
                SELECT (SELECT count(*) FROM messages WHERE stream_id IN temp.purge_batch),
                  (SELECT count(*) FROM stream_images WHERE stream_id IN temp.purge_batch),
                  (SELECT count(*) FROM jobs WHERE stream_id IN temp.purge_batch)
                """
            let (messages, images, jobs) = try connection.withStatement(cascaded) { row in
                _ = try row.step()
                return (Int(row.int64(0)), Int(row.int64(1)), Int(row.int64(2)))
            }
            let streams = try connection.withStatement("DELETE FROM streams WHERE id IN temp.purge_batch") {
                try $0.run()
                return connection.changes
            }
            return (streams, messages, images, jobs)
        }
        guard deleted.streams > 0 else { return 0 }
        counts.streams += deleted.streams
        counts.messages += deleted.messages
        counts.images += deleted.images
        counts.jobs += deleted.jobs
        counts.batches += 1
        return deleted.streams
    }

    /// One transaction: up to `batch` `done`/`dead` jobs finished before `cutoff` whose stream
    /// was kept (not finished). Returns the jobs deleted.
    private func purgeJobBatch(cutoff: Int64, batch: Int, into counts: inout PurgeCounts) throws -> Int {
        let sql = """
            DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
              WHERE state IN ('done', 'dead') AND coalesce(finished_at, updated_at) < ?1 LIMIT ?2)
            """
        let deleted = try connection.transaction {
            try connection.withStatement(sql) { statement in
                try statement.bind(cutoff, batch)
                try statement.run()
                return connection.changes
            }
        }
        if deleted > 0 {
            counts.jobs += deleted
            counts.batches += 1
        }
        return deleted
    }
}
