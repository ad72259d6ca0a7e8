/// Version 7: `worker_heartbeats`, one row per running `wecom-worker` (docs/architecture.md §7):
/// the process (`worker_id` is `host:pid:nonce`, with `host` and `pid` apart for queries), its
/// `concurrency` and `busy` slots, its heartbeat period in milliseconds (`period_ms`: readers judge
/// it by its own period), `started_at` and `last_seen`. A clean stop deletes the row; the row of a
/// worker silent for a day is deleted by the next heartbeat of any worker.
enum Migration7WorkerHeartbeats {
    static let migration = Schema.Migration(version: 7, sql: """
        CREATE TABLE worker_heartbeats(worker_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,
          concurrency INTEGER NOT NULL, busy INTEGER NOT NULL, period_ms INTEGER NOT NULL,
          started_at INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;
        """)
}
