#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Threads

/// A `MetricsListener` served on a thread of its own, until `stop()`: for a process that does
/// not fork once it serves (`wecom-worker`, `wecom-ws`). The pre-fork responder serves its
/// listener from the master's `poll` loop instead.
public final class MetricsThread: Sendable {
    private let stopping = Mutex(false)
    private let thread = Mutex<pthread_t?>(nil)

    public init() {}

    public func start(_ listener: MetricsListener) throws {
        let started = try JoinableThread.start("metrics listener") { [self] in
            listener.serve(until: { stopping.withLock { $0 } })
        }
        thread.withLock { $0 = started }
    }

    /// Stops serving (within the listener's poll interval) and waits for the thread.
    public func stop() {
        stopping.withLock { $0 = true }
        if let started = thread.withLock({ $0 }) { pthread_join(started, nil) }
    }
}
