/// The one rule for time on PostgreSQL: leases, due times and "now" are the database's, and a
/// caller's times count only as distances from the caller's own `now`.
///
/// Responders and workers on several hosts share the queue, and their clocks disagree. If a
/// worker's clock ran 10 minutes ahead and leases were judged by it, it would take jobs whose
/// leases are alive; one 10 minutes behind would keep jobs whose leases are dead. So:
///
/// - a time the caller passes (`leaseUntil`, `runAt`, a purge cutoff) is stored as the database's
///   `now` plus its distance from the caller's `now`: `db now + (time − caller now)`;
/// - "now" in a comparison (is a job due, has a lease ended) is the database's `now`;
/// - a stored time the caller gets back (`ClaimedJob.messageAt`, which the worker measures the
///   6-minute window against with its own clock, a snapshot's times) is moved into the caller's
///   frame the other way: `time − db now + caller now`.
///
/// The database's `now` is `now()`, the start of the statement's transaction, in whole unix
/// seconds like every stored time. The methods return SQL expressions; `callerNow` is the SQL of
/// the parameter holding the caller's `now` (a method without one uses the store's own clock).
public enum DatabaseClock: Sendable {
    /// The database server's clock: for every real deployment.
    case server
    /// The caller's `now` is taken as the database's, so the rule changes no time, as on SQLite
    /// (the expressions keep their shape, so statements take the same parameters). For tests
    /// that move time by hand; a server's clock cannot be moved.
    case caller

    /// The database's now in unix seconds.
    func now(_ callerNow: String) -> String {
        switch self {
        case .server: return "floor(extract(epoch FROM now()))::bigint"
        case .caller: return "(\(callerNow))::bigint"
        }
    }

    /// A caller's time as a database time: the same distance from now.
    func databaseTime(_ time: String, callerNow: String) -> String {
        "(\(now(callerNow)) + ((\(time))::bigint - (\(callerNow))::bigint))"
    }

    /// A stored database time (a column) as a time on the caller's clock; NULL stays NULL.
    func callerTime(_ time: String, callerNow: String) -> String {
        "(\(time) - \(now(callerNow)) + (\(callerNow))::bigint)"
    }
}
