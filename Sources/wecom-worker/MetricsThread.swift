#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Metrics
import Synchronization
import Threads

/// The `/metrics` and `/healthz` listener served on a thread of its own (the worker is one
/// process: nothing forks after it starts), until `stop()`.
final class MetricsThread: Sendable {
    private let stopping = Mutex(false)
    private let thread = Mutex<pthread_t?>(nil)

    func start(_ listener: MetricsListener) throws {
        let started = try JoinableThread.start("metrics listener") { [self] in
            Thread.current.name = "metrics"
            listener.serve(until: { stopping.withLock { $0 } })
        }
        thread.withLock { $0 = started }
    }

    /// Stops serving (within the listener's poll interval) and waits for the thread.
    func stop() {
        stopping.withLock { $0 = true }
        if let started = thread.withLock({ $0 }) { pthread_join(started, nil) }
    }
}
