/// Tells idle workers that a job is due, so one starts it within milliseconds instead of at its
/// next look at the queue. Best effort: workers poll anyway. Used by one thread at a time.
///
/// A backend whose transactions carry the signal themselves (PostgreSQL's `NOTIFY`, sent at
/// commit) makes this do nothing.
public protocol JobSignal: AnyObject, CustomStringConvertible {
    /// Call after the transaction that queued or requeued jobs committed. Whether a worker is
    /// there to hear it is not the signal's to say: workers' heartbeats tell (``WorkerHeartbeatStore``).
    func notifyWorkers()
}
