#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What `/healthz` says: 200 `ok`, or 503 with one line saying what is wrong.
public enum Health: Sendable, Equatable {
    case healthy
    case unhealthy(String)
}

/// A health check that runs at most once per `interval` (a check may read the store, and a
/// monitor may ask many times a second); callers in between get the last result.
public final class ThrottledHealthCheck: Sendable {
    private struct Last {
        var at: ContinuousClock.Instant
        var health: Health
    }

    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let check: @Sendable () -> Health
    private let last = Mutex<Last?>(nil)

    public init(interval: Duration = .seconds(1), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
                check: @escaping @Sendable () -> Health) {
        self.interval = interval
        self.now = now
        self.check = check
    }

    /// The cached result, or a fresh one when the last is `interval` old. The check runs outside
    /// the lock; two callers arriving together may both run it, which is harmless.
    public func health() -> Health {
        let time = now()
        if let cached = last.withLock({ $0 }), time - cached.at < interval { return cached.health }
        let health = check()
        last.withLock { $0 = Last(at: time, health: health) }
        return health
    }
}
