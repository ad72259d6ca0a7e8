import BotStore
import Dispatch

/// The process's store connection and job signal, used on a serial queue of their own. Store
/// calls block (SQLite's locks, a PostgreSQL round trip); on Swift's cooperative pool, which has
/// one thread per core, they would hold up every session's frames and acks behind them.
public final class StoreLane: @unchecked Sendable {
    // @unchecked: `store` and `signal` are used only by blocks on `queue`, which runs them one
    // at a time, as both require ("used from one thread at a time").
    private let store: any BotStore
    private let signal: any JobSignal
    private let queue: DispatchQueue

    public init(store: any BotStore, signal: any JobSignal, label: String = "wecom-ws.store") {
        self.store = store
        self.signal = signal
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` with the connection, after the calls queued before it.
    public func run<T: Sendable>(_ body: @escaping @Sendable (any BotStore) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.store) })
            }
        }
    }

    /// Wakes idle workers after a committed accept; best effort, as the signal itself.
    public func notifyWorkers() {
        queue.async { self.signal.notifyWorkers() }
    }

    /// Closes the connection once the calls queued before have run.
    public func close() {
        queue.sync { store.close() }
    }
}
