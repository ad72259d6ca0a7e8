/// Where a worker process waits for the ``JobSignal``: one per process, used by the one thread
/// that made it (it may hold a socket or a connection of its own).
public protocol JobWaiter: AnyObject {
    /// Waits up to `timeout` seconds for a signal and consumes every signal pending. True when
    /// signalled, false on timeout. A lost signal only delays a job until the worker's next poll.
    func wait(timeout: Double) -> Bool
}
