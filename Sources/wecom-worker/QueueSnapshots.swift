import BotStore
import Foundation
import Metrics
import Synchronization

/// The queue as the store shows it at one moment, for a scrape.
struct QueueSnapshot: Sendable {
    var report: StatusReport
    var liveWorkers: Int
}

/// Reads the queue for `/metrics` and `/healthz` at most once per `interval` (a monitor may ask
/// often, and every read scans the jobs and streams), on a connection of its own that only the
/// metrics thread uses and that gives up as a responder's does (an operator's lock cannot hold a
/// scrape); a failed read drops the connection, so the next one starts afresh.
final class QueueSnapshots: Sendable {
    struct Unreadable: Error { var reason: String }

    private struct State {
        var store: (any BotStore)?
        var at: ContinuousClock.Instant?
        var last: Result<QueueSnapshot, Unreadable> = .failure(Unreadable(reason: "not read yet"))
    }

    private let backend: any StoreBackend
    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    init(backend: any StoreBackend, interval: Duration = .seconds(1),
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.backend = backend
        self.interval = interval
        self.now = now
    }

    /// The last reading, or a fresh one when the last is `interval` old.
    func current() -> Result<QueueSnapshot, Unreadable> {
        let time = now()
        return state.withLock { state in
            if let at = state.at, time - at < interval { return state.last }
            state.at = time
            do {
                // A SQLite file moved away stays readable through an open connection: look for it.
                guard try backend.exists() else { throw Unreadable(reason: "store unavailable: no database at \(backend)") }
                let store = try state.store ?? backend.openProbe()
                state.store = store
                let seconds = Int64(Date().timeIntervalSince1970)
                let report = try store.statusReport(now: seconds)
                let live = try store.workerStatuses(now: seconds).filter { $0.isLive(now: seconds) }.count
                state.last = .success(QueueSnapshot(report: report, liveWorkers: live))
            } catch {
                state.store?.close()
                state.store = nil
                state.last = .failure(error as? Unreadable ?? Unreadable(reason: "store unavailable: \(error)"))
            }
            return state.last
        }
    }

    /// Healthy when the claim loop runs and the store can be read.
    func health(claiming: Bool) -> Health {
        guard claiming else { return .unhealthy("the claim loop is not running") }
        switch current() {
        case .success: return .healthy
        case let .failure(unreadable): return .unhealthy(unreadable.reason)
        }
    }
}
