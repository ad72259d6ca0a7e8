import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The waiting policy while another connection holds the write lock.
///
/// SQLite's default handler (`sqlite3_busy_timeout`) sleeps 1, 2, 5 … 100 ms, so under
/// contention a waiter oversleeps the lock's release by far (docs/systems.md §3.3). This one naps for a
/// random 20–200 µs, the upper bound growing to about 2 ms, and gives up after a total of
/// ``budget`` for one locking event, or earlier at the ``deadline`` of the callback path.
///
/// Related SQLite documentation: https://sqlite.org/c3ref/busy_handler.html
final class BusyNap {
    /// The total time one locking event may wait before `SQLITE_BUSY` is returned.
    static let budget: Duration = .seconds(5)

    private var start = ContinuousClock.now
    /// While set, every wait also ends at this instant: a callback must be answered well inside
    /// WeCom's 5-second timeout, so it cannot wait the whole budget for a lock.
    var deadline: ContinuousClock.Instant?

    /// Called with how many times it was already called for this locking event (0 first).
    /// Returns false once the budget is spent or the deadline passed; otherwise naps and
    /// returns true.
    func napIfWithinBudget(attempt: Int) -> Bool {
        let now = ContinuousClock.now
        if attempt == 0 { start = now }
        guard start.duration(to: now) < Self.budget else { return false }
        if let deadline, now >= deadline { return false }
        let upperMicroseconds = min(2_000, 200 + attempt * 10)
        usleep(UInt32(Int.random(in: 20...upperMicroseconds)))
        return true
    }

    /// Installs this policy as `db`'s busy handler. `self` must outlive the connection handle.
    func install(on db: OpaquePointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_busy_handler(db, { context, attempt in
            guard let context else { return 0 }
            let nap = Unmanaged<BusyNap>.fromOpaque(context).takeUnretainedValue()
            return nap.napIfWithinBudget(attempt: Int(attempt)) ? 1 : 0
        }, context)
    }
}

@available(*, unavailable)
extension BusyNap: Sendable {}
