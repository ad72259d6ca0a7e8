#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import Synchronization

/// Process-wide signal handling for the two roles a process can have.
///
/// **Serving process** (serves requests; `processes == 1`, or a forked child): SIGTERM, SIGINT and SIGUSR1
/// (multiwatch's graceful signal) ask the accept loop to stop after the in-flight request. We
/// install our own handler *before* `FCGX_Init`, which then leaves these signals alone (it only
/// replaces SIG_DFL), instead of relying on libfcgi's handler, because that handler (libfcgi
/// 2.4.2, verified here):
/// - makes `OS_Accept` spin at 100% CPU forever when the signal arrives during its 2 s wait for
///   the first bytes of a unix connection (it retries with the closed fd while shutdownPending);
/// - is installed without SA_RESTART, so a signal during a body read or a response write makes
///   the in-flight request fail instead of completing;
/// - misses a signal that lands between its flag check and `accept()` (the loop stays blocked
///   until the next connection), and does not cover SIGINT.
/// Our handler sets a flag and `dup2()`s /dev/null over the listening fd (this process's fd table
/// only, the socket stays open in the master and siblings), so the next or restarted `accept()`
/// fails with ENOTSOCK at once. The serving thread blocks the stop signals while it handles a
/// request (`blockStopSignals`), so a signal during a request waits until the response is sent;
/// SA_RESTART covers the parameter reads inside `FCGX_Accept_r`. A signal delivered to another
/// thread is forwarded to the serving thread that installed the handlers; with several serving
/// threads, that one's loop ends first and it then signals the others (`ServingThreads`). Remaining window: a signal during libfcgi's wait
/// for the first bytes of a just-accepted unix connection (normally microseconds, since nginx
/// writes at once) drops that connection (nginx answers 502), as libfcgi's own handler would.
///
/// **Master** (pre-fork supervisor, never calls `FCGX_Init`): SIGTERM/SIGINT/SIGUSR1 and SIGCHLD
/// are counted and wake the master's `poll()` through a self-pipe.
///
/// Handlers only touch the atomics below (initialised before any handler is installed) and
/// async-signal-safe calls, and preserve errno.
enum SignalHandling {
    static let stopSignals: [Int32] = [SIGTERM, SIGINT, SIGUSR1]

    // Serving-process state.
    static let servingStopRequested = Atomic<Bool>(false)
    static let servingListenFD = Atomic<Int32>(-1)
    static let servingNullFD = Atomic<Int32>(-1)
    /// The thread that installed the handlers (`fcgi.thread` 0); a signal taken elsewhere is
    /// forwarded to it.
    static let firstServingThread = Atomic<UInt>(0)

    // Master state.
    static let masterWakeFD = Atomic<Int32>(-1)
    static let masterStopCount = Atomic<Int>(0)
    static let masterLastStopSignal = Atomic<Int32>(0)

    /// `signal(SIGPIPE, SIG_IGN)`: a write to a connection nginx has closed must fail, not kill.
    static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Installs the serving-process handlers for the calling thread, which serves on `listenFD`.
    static func installServingHandlers(listenFD: Int32) throws {
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        try FastCGIError.check(null, "open", "/dev/null")
        servingNullFD.store(null, ordering: .releasing)
        servingListenFD.store(listenFD, ordering: .releasing)
        firstServingThread.store(UInt(pthread_self()), ordering: .releasing)
        _ = servingStopRequested.load(ordering: .acquiring)
        for signo in stopSignals { try install(servingHandler, for: signo, flags: SA_RESTART) }
    }

    /// Installs the master handlers; they write one byte to `wakeFD` (non-blocking) per signal.
    static func installMasterHandlers(wakeFD: Int32) throws {
        masterWakeFD.store(wakeFD, ordering: .releasing)
        _ = masterStopCount.load(ordering: .acquiring)
        _ = masterLastStopSignal.load(ordering: .acquiring)
        for signo in stopSignals { try install(masterHandler, for: signo, flags: SA_RESTART) }
        try install(masterHandler, for: SIGCHLD, flags: SA_RESTART | SA_NOCLDSTOP)
    }

    /// Blocks the handled signals around `fork()`, so that no master handler runs in a child
    /// before the child has installed its own. Returns the previous mask for `restoreMask`.
    static func blockForFork() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signo in stopSignals + [SIGCHLD] { sigaddset(&set, signo) }
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &previous)
        return previous
    }

    /// The stop signals as a set, for masking them on the serving thread while it handles a
    /// request: the application then never sees EINTR (a `usleep` or `poll` in it is not
    /// restarted by SA_RESTART) and the signal is taken right before the next accept.
    static func blockStopSignals() {
        var set = stopSignalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    static func unblockStopSignals() {
        var set = stopSignalSet()
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// True on the thread `installServingHandlers` was called from.
    static var isFirstServingThread: Bool {
        let serving = firstServingThread.load(ordering: .acquiring)
        return serving != 0 && serving == UInt(pthread_self())
    }

    private static func stopSignalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signo in stopSignals { sigaddset(&set, signo) }
        return set
    }

    static func restoreMask(_ mask: sigset_t) {
        var mask = mask
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }

    /// Starts from an empty signal mask: a process spawned by something that had signals blocked
    /// (Foundation's `Process`, some supervisors) would otherwise never see SIGTERM or SIGCHLD.
    static func clearInheritedMask() {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
    }

    /// In a freshly forked child: exit with the master. If the master is SIGKILLed, the kernel
    /// sends this child SIGTERM, so no orphaned children keep the socket busy.
    static func dieWithParent(masterPID: pid_t) {
        _ = CFastCGI_set_parent_death_signal(SIGTERM)
        if getppid() != masterPID { raise(SIGTERM) }  // the master died before prctl
    }

    /// In a freshly forked child (signals still blocked): drop the master's handlers and state.
    static func leaveMasterRole() {
        masterWakeFD.store(-1, ordering: .releasing)
        _ = signal(SIGCHLD, SIG_DFL)
        for signo in stopSignals { _ = signal(signo, SIG_DFL) }
    }

    private static func install(_ handler: @convention(c) (Int32) -> Void, for signo: Int32, flags: Int32) throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = flags
        sigemptyset(&action.sa_mask)
        if sigaction(signo, &action, nil) != 0 {
            throw FastCGIError.system(function: "sigaction", target: String(cString: strsignal(signo)), errno: errno)
        }
    }

    private static let servingHandler: @convention(c) (Int32) -> Void = { signo in
        let savedErrno = errno
        SignalHandling.servingStopRequested.store(true, ordering: .releasing)
        let listenFD = SignalHandling.servingListenFD.load(ordering: .acquiring)
        let nullFD = SignalHandling.servingNullFD.load(ordering: .acquiring)
        if listenFD >= 0 && nullFD >= 0 { _ = dup2(nullFD, listenFD) }
        let serving = SignalHandling.firstServingThread.load(ordering: .acquiring)
        if serving != 0 && UInt(pthread_self()) != serving { _ = pthread_kill(pthread_t(serving), signo) }
        errno = savedErrno
    }

    private static let masterHandler: @convention(c) (Int32) -> Void = { signo in
        let savedErrno = errno
        if signo != SIGCHLD {
            SignalHandling.masterLastStopSignal.store(signo, ordering: .releasing)
            SignalHandling.masterStopCount.add(1, ordering: .acquiringAndReleasing)
        }
        let fd = SignalHandling.masterWakeFD.load(ordering: .acquiring)
        if fd >= 0 {
            var byte = UInt8(truncatingIfNeeded: signo)
            _ = write(fd, &byte, 1)
        }
        errno = savedErrno
    }
}
