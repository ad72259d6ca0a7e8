#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Threads

/// The thread that serves a `SideListener` in a single serving process (no master to do it).
/// Started with the stop signals blocked, so that they reach the serving threads.
final class SideThread {
    private final class StopFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let thread: pthread_t
    private let stopping = StopFlag()

    init(serving side: SideListener) throws {
        let previousMask = SignalHandling.blockForFork()
        defer { SignalHandling.restoreMask(previousMask) }
        thread = try JoinableThread.start("side listener") { [stopping] in
            while !stopping.value.load(ordering: .acquiring) {
                var descriptor = pollfd(fd: side.fd, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, 250) > 0 { side.serveReady() }
            }
        }
    }

    /// Returns once the thread has seen the stop (within 250 ms) and ended.
    func stopAndJoin() {
        stopping.value.store(true, ordering: .releasing)
        pthread_join(thread, nil)
    }
}
