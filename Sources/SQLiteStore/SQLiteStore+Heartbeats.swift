import BotStore

/// Worker heartbeats: one row per running `wecom-worker`, written by its progress writer's
/// thread every heartbeat period.
extension SQLiteStore {
    /// One write transaction: the upsert, and the rows silent for longer than the retention.
    public func recordHeartbeat(_ heartbeat: WorkerHeartbeat, now: Int64) throws {
        let upsert = """
            INSERT INTO worker_heartbeats(worker_id, host, pid, concurrency, busy, period_ms, started_at, last_seen)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
            ON CONFLICT(worker_id) DO UPDATE SET concurrency = excluded.concurrency, busy = excluded.busy,
              period_ms = excluded.period_ms, last_seen = excluded.last_seen
            """
        try connection.transaction {
            try connection.withStatement(upsert) { statement in
                let worker = heartbeat.worker
                try statement.bind(worker.id, worker.host, Int64(worker.pid), heartbeat.concurrency, heartbeat.busy,
                                   heartbeat.periodMilliseconds, now)
                try statement.run()
            }
            try connection.withStatement("DELETE FROM worker_heartbeats WHERE last_seen < ?1") { statement in
                try statement.bind(now - WorkerLiveness.retention)
                try statement.run()
            }
        }
    }

    public func removeHeartbeat(workerID: String) throws -> Bool {
        try connection.withStatement("DELETE FROM worker_heartbeats WHERE worker_id = ?1") { statement in
            try statement.bind(workerID)
            try statement.run()
            return connection.changes > 0
        }
    }

    public func workerStatuses(now: Int64) throws -> [WorkerStatus] {
        let sql = """
            SELECT worker_id, host, pid, concurrency, busy, period_ms, started_at, last_seen FROM worker_heartbeats
            ORDER BY last_seen DESC, worker_id
            """
        return try connection.withStatement(sql) { row in
            var statuses: [WorkerStatus] = []
            while try row.step() {
                statuses.append(WorkerStatus(
                    workerID: row.text(0), host: row.text(1), pid: Int32(truncatingIfNeeded: row.int64(2)),
                    concurrency: Int(row.int64(3)), busy: Int(row.int64(4)), periodMilliseconds: row.int64(5),
                    startedAt: row.int64(6), lastSeen: row.int64(7)))
            }
            return statuses
        }
    }
}
