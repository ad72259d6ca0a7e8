import BotStore

/// Deleting old rows in bounded statements, so that nothing waits long for their locks. A
/// stream's push state (`ws_streams`) goes with it (foreign key).
extension PostgresStore {
    /// A finished stream is purgeable when it was created and finished before the cutoff and its
    /// job (if any) is neither queued, running, nor finished at or after the cutoff. A stream
    /// closed early at the 6-minute deadline is finished while its job still runs: the job guard
    /// keeps it.
    ///
    /// Batches walk `streams_finished` (finish time, then id) from where the previous batch
    /// stopped, so the streams that must stay are passed over once, not read again by every
    /// batch. One statement per batch: it locks the batch's streams, counts what their deletion
    /// takes along (the trigger deletes messages and the cascades images and jobs, and no
    /// count includes those), and deletes them; every part sees the rows as they were before.
    ///
    /// `$1` cutoff (caller's clock), `$2` batch size, `$3`/`$4` the last finish time and id taken,
    /// `$5` the caller's now.
    private var purgeStreamBatch: String {
        let cutoff = clock.databaseTime("$1", callerNow: "$5")
        return """
            WITH picked AS (
              SELECT s.id, s.aibotid, s.msgid, s.finished_at FROM streams s
              WHERE s.finished = 1 AND (s.finished_at, s.id) > ($3, $4) AND s.finished_at < \(cutoff)
                AND s.created_at < \(cutoff) AND s.state IN ('finished', 'failed')
                AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.stream_id = s.id
                                AND (j.state IN ('queued', 'running') OR coalesce(j.finished_at, j.updated_at) >= \(cutoff)))
              ORDER BY s.finished_at, s.id LIMIT $2
              FOR UPDATE OF s),
            messages_taken AS (
              SELECT count(*) AS n FROM messages m JOIN picked p
                ON m.aibotid = p.aibotid AND m.msgid = p.msgid AND m.stream_id = p.id),
            images_taken AS (SELECT count(*) AS n FROM stream_images WHERE stream_id IN (SELECT id FROM picked)),
            jobs_taken AS (SELECT count(*) AS n FROM jobs WHERE stream_id IN (SELECT id FROM picked)),
            deleted AS (DELETE FROM streams WHERE id IN (SELECT id FROM picked) RETURNING 1),
            last AS (SELECT finished_at, id FROM picked ORDER BY finished_at DESC, id DESC LIMIT 1)
            SELECT (SELECT count(*) FROM deleted), (SELECT n FROM messages_taken), (SELECT n FROM images_taken),
              (SELECT n FROM jobs_taken), (SELECT finished_at FROM last), (SELECT id FROM last)
            """
    }

    public func purge(olderThan cutoff: Int64, batch: Int) throws -> PurgeCounts {
        let batch = max(1, batch)
        let now = hostClock()
        var counts = PurgeCounts()
        var after = (finishedAt: Int64.min, id: "")
        while true {
            let row = try write { try connection.query(purgeStreamBatch, cutoff, batch, after.finishedAt, after.id, now) }
            let streams = Int(row.int64(0, 0))
            guard streams > 0 else { break }
            counts.streams += streams
            counts.messages += Int(row.int64(0, 1))
            counts.images += Int(row.int64(0, 2))
            counts.jobs += Int(row.int64(0, 3))
            counts.batches += 1
            guard streams == batch else { break }
            after = (row.int64(0, 4), row.text(0, 5))
        }
        let jobs = """
            DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
              WHERE state IN ('done', 'dead')
                AND coalesce(finished_at, updated_at) < \(clock.databaseTime("$1", callerNow: "$3"))
              LIMIT $2)
            """
        counts.jobs += try deleteInBatches(jobs, cutoff: cutoff, batch: batch, now: now, batches: &counts.batches)
        let outbound = """
            DELETE FROM outbound_messages WHERE id IN (SELECT id FROM outbound_messages
              WHERE state IN ('sent', 'failed', 'cancelled')
                AND finished_at < \(clock.databaseTime("$1", callerNow: "$3"))
              LIMIT $2)
            """
        counts.outbound += try deleteInBatches(outbound, cutoff: cutoff, batch: batch, now: now, batches: &counts.batches)
        return counts
    }

    /// Runs the DELETE `sql` (`$1` cutoff, `$2` batch size, `$3` the caller's now) until it
    /// deletes less than a batch; returns the rows deleted, and counts the statements that
    /// deleted some in `batches`.
    private func deleteInBatches(_ sql: String, cutoff: Int64, batch: Int, now: Int64, batches: inout Int) throws -> Int {
        var total = 0
        while true {
            let deleted = try write { try connection.query(sql, cutoff, batch, now).changedRows }
            guard deleted > 0 else { break }
            total += deleted
            batches += 1
            guard deleted == batch else { break }
        }
        return total
    }
}
