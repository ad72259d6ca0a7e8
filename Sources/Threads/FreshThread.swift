#if canImport(Glibc)
import Glibc
#endif

/// Runs the whole life of a forked child on a thread created after the fork.
///
/// The Swift runtime caches each thread's kernel thread id in thread-local storage and writes it
/// into its futex-based locks (the one behind lazy globals, and Synchronization's `Mutex`). After
/// `fork()` the child's main thread still carries the master's id. That is harmless while only
/// one thread runs, but once the child has several threads, a lock its main thread holds is
/// owned, as far as the kernel's priority-inheritance futexes can tell, by the master: measured
/// here, a contended `swift_once` then spun through `futex_lock_pi` on every request, and some
/// threads never woke again (their process had to be SIGKILLed at stop). A thread created in the
/// child starts with an empty cache, so the child's main thread only starts this thread and
/// waits for it, with the stop signals left blocked, so that they go to the serving threads.
public enum FreshThread {
    /// The body's exit code, written by the new thread and read by its creator after the join.
    private final class ExitCode: @unchecked Sendable {
        var value: Int32 = 1
    }

    /// `body`'s result, or 1 if no thread could be created.
    public static func run(_ body: () -> Int32) -> Int32 {
        withoutActuallyEscaping(body) { body in
            let code = ExitCode()
            guard let thread = try? JoinableThread.start("child main", { code.value = body() }) else { return 1 }
            pthread_join(thread, nil)
            return code.value
        }
    }
}
