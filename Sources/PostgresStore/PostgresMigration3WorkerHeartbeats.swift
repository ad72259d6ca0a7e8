/// Version 3: `worker_heartbeats`, as SQLite's version 7 (docs/architecture.md §7): one row per
/// running `wecom-worker`, its times on the database's clock.
enum PostgresMigration3WorkerHeartbeats {
    static let migration = PostgresSchema.Migration(version: 3) { _ in
        """
        CREATE TABLE worker_heartbeats(worker_id TEXT COLLATE "C" PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,
          concurrency INTEGER NOT NULL, busy INTEGER NOT NULL, period_ms BIGINT NOT NULL,
          started_at BIGINT NOT NULL, last_seen BIGINT NOT NULL);
        """
    }
}
