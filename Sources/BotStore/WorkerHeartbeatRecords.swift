/// Records of ``WorkerHeartbeatStore``: plain values for `wecom-worker` and `wecomctl`.

/// What a worker reports with each heartbeat.
public struct WorkerHeartbeat: Sendable, Equatable {
    /// The process, as `host:pid:nonce` (``ConnectionHolder`` reads and writes that form): a
    /// restarted worker that got the same pid has a row of its own.
    public var worker: ConnectionHolder
    /// Jobs the process runs at once (`--concurrency`).
    public var concurrency: Int
    /// Jobs running now.
    public var busy: Int
    /// Seconds between two heartbeats (`WECOM_WORKER_HEARTBEAT`): stored with the row, so that
    /// whoever reads it judges the worker by its own period.
    public var period: Double

    public init(worker: ConnectionHolder, concurrency: Int, busy: Int, period: Double) {
        self.worker = worker; self.concurrency = concurrency; self.busy = busy; self.period = period
    }

    /// The period as the store keeps it (`period_ms`).
    public var periodMilliseconds: Int64 { Int64((period * 1000).rounded()) }
}

/// One worker's row as `wecomctl status` shows it. Times on the caller's clock.
public struct WorkerStatus: Sendable, Equatable {
    /// ``ConnectionHolder/id`` of the process.
    public var workerID: String
    public var host: String
    public var pid: Int32
    public var concurrency: Int
    public var busy: Int
    public var period: Double
    public var startedAt: Int64
    public var lastSeen: Int64

    public init(workerID: String, host: String, pid: Int32, concurrency: Int, busy: Int, period: Double,
                startedAt: Int64, lastSeen: Int64) {
        self.workerID = workerID; self.host = host; self.pid = pid; self.concurrency = concurrency
        self.busy = busy; self.period = period; self.startedAt = startedAt; self.lastSeen = lastSeen
    }

    /// A row as a backend stored it: the period in milliseconds (`period_ms`).
    public init(workerID: String, host: String, pid: Int32, concurrency: Int, busy: Int, periodMilliseconds: Int64,
                startedAt: Int64, lastSeen: Int64) {
        self.init(workerID: workerID, host: host, pid: pid, concurrency: concurrency, busy: busy,
                  period: Double(periodMilliseconds) / 1000, startedAt: startedAt, lastSeen: lastSeen)
    }

    /// Whether the worker beat recently enough, as of `now` (the clock `lastSeen` is on).
    public func isLive(now: Int64) -> Bool {
        WorkerLiveness.isLive(lastSeen: lastSeen, period: period, now: now)
    }
}

/// The one rule for telling a live worker from a silent one.
public enum WorkerLiveness {
    /// Heartbeats a worker may miss before it counts as silent: one late write (a slow
    /// transaction, a busy machine) does not make it look dead.
    public static let missedBeats = 3.0

    /// How long the row of a silent worker is kept, so that `wecomctl status` shows a worker
    /// that died for a day, then forgets it.
    public static let retention: Int64 = 86_400

    /// Seconds since the last beat up to which a worker of heartbeat `period` is live: three
    /// periods, rounded up to the whole seconds the store keeps.
    public static func silentAfter(period: Double) -> Int64 {
        Int64((missedBeats * period).rounded(.up))
    }

    /// Live when `now - lastSeen` is at most ``silentAfter(period:)``; a beat from the future (a
    /// caller's clock behind the writer's, on SQLite) counts as live.
    public static func isLive(lastSeen: Int64, period: Double, now: Int64) -> Bool {
        now - lastSeen <= silentAfter(period: period)
    }
}
