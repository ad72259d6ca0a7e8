import BotStore
import Foundation
import Logging

/// The worker's heartbeat row (``WorkerHeartbeatStore``): written when the process starts, then
/// once every period, and deleted at a clean stop. The progress writer's thread runs it on its
/// own connection between two flushes, so that no answer ever waits for it and the process
/// opens no connection for it.
final class HeartbeatWriter {
    private let worker: ConnectionHolder
    private let concurrency: Int
    private let period: Double
    private let busy: @Sendable () -> Int
    private let clock: @Sendable () -> Double
    private let logger: Logger
    private var lastBeat: Double?

    /// `busy` counts the jobs running now; `clock` is unix seconds.
    init(worker: ConnectionHolder, concurrency: Int, period: Double, logger: Logger,
         busy: @escaping @Sendable () -> Int,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.worker = worker
        self.concurrency = concurrency
        self.period = period
        self.busy = busy
        self.clock = clock
        self.logger = logger
    }

    /// Writes the row when a period has passed since the last write (at once the first time). A
    /// failed write is not retried before the next period: a store that is down is logged once a
    /// period, not ten times a second.
    func beatIfDue(on store: BotStore) {
        let now = clock()
        if let lastBeat, now - lastBeat < period { return }
        lastBeat = now
        do {
            try store.recordHeartbeat(WorkerHeartbeat(worker: worker, concurrency: concurrency, busy: busy(), period: period),
                                      now: Int64(now))
        } catch {
            logger.warning("heartbeat write failed, will retry in \(period) s: \(error)")
        }
    }

    /// A clean stop: the row goes, so `wecomctl status` does not show the worker as silent.
    func remove(on store: BotStore) {
        do {
            try store.removeHeartbeat(workerID: worker.id)
        } catch {
            logger.warning("could not delete the heartbeat row: \(error)")
        }
    }
}
