import BotStore
import Foundation
import Metrics

/// The queue as the store shows it at one moment, for a scrape.
struct QueueSnapshot: Sendable {
    var report: StatusReport
    var liveWorkers: Int
}

/// Reads the queue for `/metrics` and `/healthz` (every read scans the jobs and streams), through
/// a ``ThrottledStoreRead``.
final class QueueSnapshots: Sendable {
    private let reads: ThrottledStoreRead<QueueSnapshot>

    init(backend: any StoreBackend, interval: Duration = .seconds(1),
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        reads = ThrottledStoreRead(backend: backend, interval: interval, now: now) { store in
            let seconds = Int64(Date().timeIntervalSince1970)
            let report = try store.statusReport(now: seconds)
            let live = try store.workerStatuses(now: seconds).filter { $0.isLive(now: seconds) }.count
            return QueueSnapshot(report: report, liveWorkers: live)
        }
    }

    /// The last reading, or a fresh one when the last is `interval` old.
    func current() -> Result<QueueSnapshot, ThrottledStoreRead<QueueSnapshot>.Unreadable> { reads.current() }

    /// Healthy when the claim loop runs and the store can be read.
    func health(claiming: Bool) -> Health {
        guard claiming else { return .unhealthy("the claim loop is not running") }
        switch current() {
        case .success: return .healthy
        case let .failure(unreadable): return .unhealthy(unreadable.reason)
        }
    }
}
