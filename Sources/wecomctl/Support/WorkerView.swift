import BotStore
import JSONCore

/// How `wecomctl` shows the workers' heartbeats (``WorkerHeartbeatStore``), and the one warning
/// `status` and `jobs retry` give when queued jobs wait for a worker that is not there.
enum WorkerView {
    /// The warning when `dueJobs` jobs are due and no worker is alive as of `now`; nil otherwise.
    static func noLiveWorkerWarning(dueJobs: Int, workers: [WorkerStatus], now: Int64) -> String? {
        guard dueJobs > 0, !workers.contains(where: { $0.isLive(now: now) }) else { return nil }
        let jobs = dueJobs == 1 ? "1 job is" : "\(dueJobs) jobs are"
        let seen = workers.isEmpty ? "no wecom-worker has a heartbeat in this database"
            : "every wecom-worker of this database is silent"
        return "warning: \(jobs) queued but no worker is alive (\(seen)): start one with the same database "
            + "(systemd: wecom-worker@1), or see in its log why it stopped"
    }

    /// One row per worker, live ones first (the store's order: most recently seen first).
    static func table(_ workers: [WorkerStatus], now: Int64) -> String {
        var table = TextTable("WORKER", "PID", "STATE", "CONCURRENCY", "BUSY", "STARTED", "LAST SEEN")
        for worker in workers {
            table.add(worker.host, String(worker.pid), worker.isLive(now: now) ? "live" : "silent",
                      String(worker.concurrency), String(worker.busy), Formatting.localTime(worker.startedAt),
                      Formatting.localTime(worker.lastSeen) + " (\(Formatting.age(silence(worker, now: now))) ago)")
        }
        return table.rendered
    }

    /// One worker for `status --json`; times in unix seconds.
    static func json(_ worker: WorkerStatus, now: Int64) -> JSONValue {
        [
            "host": .string(worker.host),
            "pid": .number(Double(worker.pid)),
            "live": .bool(worker.isLive(now: now)),
            "concurrency": .number(Double(worker.concurrency)),
            "busy": .number(Double(worker.busy)),
            "heartbeat_seconds": .number(worker.period),
            "started_at": .number(Double(worker.startedAt)),
            "last_seen": .number(Double(worker.lastSeen)),
            "last_seen_age_seconds": .number(Double(silence(worker, now: now))),
        ]
    }

    /// Seconds since the worker's last beat; 0 for a beat stamped ahead of `now` (clocks apart).
    private static func silence(_ worker: WorkerStatus, now: Int64) -> Int64 {
        max(0, now - worker.lastSeen)
    }
}
