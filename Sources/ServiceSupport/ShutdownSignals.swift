import Foundation

/// SIGTERM/SIGINT handled on one dedicated thread with `sigwait`, so no async-signal-safety
/// rules constrain what the handler does. Block the signals before starting other threads.
public enum ShutdownSignals {
    private static var set: sigset_t {
        var s = sigset_t()
        sigemptyset(&s)
        sigaddset(&s, SIGTERM)
        sigaddset(&s, SIGINT)
        return s
    }

    /// Blocks SIGTERM and SIGINT in the calling thread (threads started later inherit it)
    /// and ignores SIGPIPE, so a closed peer never kills the process.
    public static func blockInThisAndNewThreads() {
        var s = set
        pthread_sigmask(SIG_BLOCK, &s, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Calls `handler` on a background thread for the first SIGTERM/SIGINT; a second one
    /// exits at once (the operator insists).
    public static func onFirstSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        let thread = Thread {
            var s = set
            var received: Int32 = 0
            sigwait(&s, &received)
            handler(received)
            sigwait(&s, &received)
            exit(130)
        }
        thread.name = "signals"
        thread.start()
    }
}
