import BotStore

/// Worker heartbeats: one row per running `wecom-worker`, its "started at" and "last seen" on the
/// database's clock (``DatabaseClock``), so that a worker whose clock is off is judged like the
/// others.
extension PostgresStore {
    /// One statement: the upsert, and (in a data-modifying WITH) the other rows silent for longer
    /// than the retention. Repeatable: it sets the same values again.
    public func recordHeartbeat(_ heartbeat: WorkerHeartbeat, now: Int64) throws {
        let dbNow = clock.now("$7")
        let sql = """
            WITH purged AS (DELETE FROM worker_heartbeats WHERE last_seen < \(dbNow) - $8 AND worker_id <> $1)
            INSERT INTO worker_heartbeats AS w (worker_id, host, pid, concurrency, busy, period_ms, started_at, last_seen)
            VALUES ($1, $2, $3, $4, $5, $6, \(dbNow), \(dbNow))
            ON CONFLICT (worker_id) DO UPDATE SET concurrency = excluded.concurrency, busy = excluded.busy,
              period_ms = excluded.period_ms, last_seen = excluded.last_seen
            """
        let worker = heartbeat.worker
        try write(repeatable: true) {
            _ = try connection.query(sql, worker.id, worker.host, Int64(worker.pid), heartbeat.concurrency, heartbeat.busy,
                                     heartbeat.periodMilliseconds, now, WorkerLiveness.retention)
        }
    }

    public func removeHeartbeat(workerID: String) throws -> Bool {
        try write(repeatable: true) {
            try connection.query("DELETE FROM worker_heartbeats WHERE worker_id = $1", workerID).changedRows > 0
        }
    }

    public func workerStatuses(now: Int64) throws -> [WorkerStatus] {
        let time = { (column: String) in self.clock.callerTime(column, callerNow: "$1") }
        let sql = """
            SELECT worker_id, host, pid, concurrency, busy, period_ms, \(time("started_at")), \(time("last_seen"))
            FROM worker_heartbeats ORDER BY last_seen DESC, worker_id
            """
        return try read {
            let rows = try connection.query(sql, now)
            return (0..<rows.rowCount).map { r in
                WorkerStatus(workerID: rows.text(r, 0), host: rows.text(r, 1), pid: Int32(truncatingIfNeeded: rows.int64(r, 2)),
                             concurrency: Int(rows.int64(r, 3)), busy: Int(rows.int64(r, 4)),
                             periodMilliseconds: rows.int64(r, 5), startedAt: rows.int64(r, 6), lastSeen: rows.int64(r, 7))
            }
        }
    }
}
