/// Which `wecom-worker` processes are alive (docs/architecture.md §7): each one writes a row at
/// start and every heartbeat period (`WECOM_WORKER_HEARTBEAT`), and deletes it at a clean stop.
/// A worker killed or stalled leaves its row behind: it is silent once its last beat is older
/// than ``WorkerLiveness`` allows, and `wecomctl status` says so.
///
/// Times are unix seconds as everywhere in the store; on PostgreSQL "last seen", "started at" and
/// "now" are the database's, so that a worker whose clock is off is judged like the others.
public protocol WorkerHeartbeatStore: AnyObject {
    /// Writes the worker's row: its busy slots and period as given, last seen `now`, started at
    /// `now` on its first write. In the same write, deletes the rows of workers silent for longer
    /// than ``WorkerLiveness/retention`` (they died without a clean stop long ago). Repeatable.
    func recordHeartbeat(_ heartbeat: WorkerHeartbeat, now: Int64) throws

    /// A clean stop: deletes the worker's row. False when it had none.
    @discardableResult func removeHeartbeat(workerID: String) throws -> Bool

    /// Every worker's row, most recently seen first, with times on the caller's clock as of `now`.
    func workerStatuses(now: Int64) throws -> [WorkerStatus]
}
