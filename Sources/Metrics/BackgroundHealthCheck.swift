#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Threads

/// A health check that runs on a thread of its own, at most once per `interval`, while callers
/// get the last result at once. The pre-fork master serves `/healthz` in its `poll` loop, and a
/// store check can take the store's whole fail-fast time during an outage; run inline, it would
/// hold up signals, restarts and scrapes for that long.
public final class BackgroundHealthCheck: Sendable {
    private struct State: Sendable {
        var last: (at: ContinuousClock.Instant, health: Health)?
        var running: pthread_t?
        var finished = false
    }

    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let check: @Sendable () -> Health
    private let state = Mutex(State())

    /// Starts the first check at once, so that a result is usually there before the first call.
    public init(interval: Duration = .seconds(1), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
                check: @escaping @Sendable () -> Health) {
        self.interval = interval
        self.now = now
        self.check = check
        startIfDue()
    }

    /// The check's thread holds the object while it runs, so the last reference may go on that
    /// thread: it cannot join itself, and detaches instead.
    deinit {
        guard let thread = state.withLock({ $0.running }) else { return }
        if pthread_equal(thread, pthread_self()) != 0 { pthread_detach(thread) } else { pthread_join(thread, nil) }
    }

    /// The last result, starting a new check when it is `interval` old. Only the very first call
    /// waits, when no check has finished yet.
    public func health() -> Health {
        startIfDue()
        if let last = state.withLock({ $0.last }) { return last.health }
        waitForCheck()
        return state.withLock { $0.last?.health } ?? .unhealthy("no health check has finished yet")
    }

    /// Returns once no check is running. The pre-fork master calls it before each fork, so that it
    /// never forks while the check's thread holds a lock the child would inherit.
    public func waitForCheck() {
        let thread = state.withLock { state -> pthread_t? in
            defer { state.running = nil }
            return state.running
        }
        if let thread { pthread_join(thread, nil) }
    }

    private func startIfDue() {
        let time = now()
        let finished = state.withLock { state -> pthread_t? in
            guard state.finished, let thread = state.running else { return nil }
            state.running = nil
            return thread
        }
        if let finished { pthread_join(finished, nil) }
        state.withLock { state in
            guard state.running == nil else { return }
            if let last = state.last, time - last.at < interval { return }
            // Created with the lock held: the thread takes it only to publish its result, after this.
            state.finished = false
            state.running = try? JoinableThread.start("health check") { [self] in
                var all = sigset_t()
                sigfillset(&all)
                pthread_sigmask(SIG_BLOCK, &all, nil)  // signals are the master's main thread's business
                let health = check()
                self.state.withLock {
                    $0.last = (time, health)
                    $0.finished = true
                }
            }
        }
    }
}
