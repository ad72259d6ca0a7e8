import Synchronization

/// A read of the store for a scrape, made at most once per `interval` (a monitor may ask often,
/// and a read may scan whole tables) on a connection of its own that gives up as a responder's
/// does (``StoreBackend/openProbe()``: an operator's lock cannot hold a scrape). Callers in
/// between get the last result. A failed read drops the connection, so the next one starts
/// afresh; a SQLite file moved away stays readable through an open connection, so its presence
/// is looked for before each read.
public final class ThrottledStoreRead<Value: Sendable>: Sendable {
    public struct Unreadable: Error, Equatable {
        public var reason: String
    }

    private struct State {
        var store: (any BotStore)?
        var at: ContinuousClock.Instant?
        var last: Result<Value, Unreadable> = .failure(Unreadable(reason: "not read yet"))
    }

    private let backend: any StoreBackend
    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let read: @Sendable (any BotStore) throws -> Value
    private let state = Mutex(State())

    public init(backend: any StoreBackend, interval: Duration = .seconds(1),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
                read: @escaping @Sendable (any BotStore) throws -> Value) {
        self.backend = backend
        self.interval = interval
        self.now = now
        self.read = read
    }

    deinit { state.withLock { $0.store?.close() } }

    /// The last result, or a fresh one when the last is `interval` old.
    public func current() -> Result<Value, Unreadable> {
        let time = now()
        return state.withLock { state in
            if let at = state.at, time - at < interval { return state.last }
            state.at = time
            do {
                guard try backend.exists() else { throw Unreadable(reason: "store unavailable: no database at \(backend)") }
                let store = try state.store ?? backend.openProbe()
                state.store = store
                state.last = .success(try read(store))
            } catch {
                state.store?.close()
                state.store = nil
                state.last = .failure(error as? Unreadable ?? Unreadable(reason: "store unavailable: \(error)"))
            }
            return state.last
        }
    }
}
