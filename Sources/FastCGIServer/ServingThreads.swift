#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import Threads

/// The serving threads of one process beyond its main thread (`FastCGIServerOptions.threads`),
/// each with its own application instance and `FCGX_Request`, all accepting on the same socket.
///
/// Stopping: the stop signal reaches the main thread (the handler forwards it there), whose
/// accept loop ends; `stopAndJoin` then sends the signal to each of these threads. Whichever
/// state a thread is in, it stops: in `accept` the handler runs and the restarted call fails on
/// the /dev/null that now covers the listening fd; inside a request the signal is blocked and is
/// taken right before the next accept, after the response is sent; before its first accept it
/// sees the stop flag. Every thread is started with the stop signals blocked, so none runs a
/// handler before its loop is set up.
final class ServingThreads {
    private var threads: [pthread_t] = []
    /// Set by a thread whose accept loop failed; the process then exits with 1 so that the
    /// pre-fork master (or systemd) restarts it with all its threads.
    let failed = Atomic<Bool>(false)

    /// Starts one thread per application; `loop` is the accept loop each one runs, with a logger
    /// that names the thread (`fcgi.thread`, from 1: the main thread is 0).
    func start(_ applications: [FastCGIApplication], logger: Logger,
               loop: @escaping (FastCGIApplication, Logger) throws -> Void) throws {
        let previousMask = SignalHandling.blockForFork()
        defer { SignalHandling.restoreMask(previousMask) }
        for (index, application) in applications.enumerated() {
            let threadLogger = FastCGIServer.logger(logger, thread: index + 1, of: applications.count + 1)
            let thread = try JoinableThread.start("serving thread \(index + 1)") { [self] in
                do {
                    try loop(application, threadLogger)
                } catch {
                    threadLogger.error("accept loop failed: \(error)")
                    failed.store(true, ordering: .releasing)
                    kill(getpid(), SIGTERM)  // the whole process stops, and is restarted whole
                }
            }
            threads.append(thread)
        }
    }

    /// After the main thread's loop has ended: stops every thread and waits for its in-flight
    /// request to finish.
    func stopAndJoin() {
        SignalHandling.servingStopRequested.store(true, ordering: .releasing)
        for thread in threads { _ = pthread_kill(thread, SIGTERM) }
        for thread in threads { _ = pthread_join(thread, nil) }
        threads = []
    }
}
