#if canImport(Glibc)
import Glibc
#endif
import Logging
import Threads

/// The pre-fork supervisor (`processes > 1`). It never calls `FCGX_Init` (which would make it
/// ignore SIGTERM) and never serves. It forks the serving processes, restarts one that dies (with
/// backoff: 100 ms, doubling up to 5 s while they keep dying within 10 s of starting), and on
/// SIGTERM/SIGINT/SIGUSR1 forwards SIGTERM, waits up to `stopTimeout` for the in-flight
/// requests, then SIGKILLs what is left. A second stop signal kills at once. Signals reach the
/// loop through a self-pipe that `poll` watches, so no signal is lost between checks.
struct PreforkMaster {
    private let server: FastCGIServer
    private let side: SideListener?
    private let logger: Logger

    /// The master's record of one serving process (`fcgi.process` in the logs: its slot).
    private struct Child {
        var pid: pid_t?
        var startedAt = ContinuousClock.now
        var restartAt: ContinuousClock.Instant? = ContinuousClock.now
        var backoff: Duration = .zero
    }

    private var children: [Child]
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var seenStopSignals = 0
    private var stopDeadline: ContinuousClock.Instant?
    private var killed = false
    private var failed = false

    private static let firstBackoff: Duration = .milliseconds(100)
    private static let maxBackoff: Duration = .seconds(5)
    private static let healthyUptime: Duration = .seconds(10)

    init(server: FastCGIServer, side: SideListener?) {
        self.server = server
        self.side = side
        logger = server.logger
        children = Array(repeating: Child(), count: server.options.processes)
    }

    private var isStopping: Bool { stopDeadline != nil }

    mutating func run(makeApplication: () throws -> FastCGIApplication) -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            logger.critical("\(FastCGIError.system(function: "pipe", target: "self-pipe", errno: errno))")
            return 1
        }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
        defer { _ = close(wakeRead); _ = close(wakeWrite) }
        for fd in fds {  // pipe2() is not imported without _GNU_SOURCE
            _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        do {
            try SignalHandling.installMasterHandlers(wakeFD: wakeWrite)
        } catch {
            logger.critical("cannot install signal handlers: \(error)")
            return 1
        }
        logger.info("pre-fork master serving", metadata: [
            "fcgi.listener": "\(server.socket.description)", "fcgi.pid": "\(getpid())",
            "fcgi.processes": "\(children.count)",
        ])

        while true {
            let now = ContinuousClock.now
            handleStopSignals(now: now)
            reapChildren(now: now)
            server.setServingProcesses(children.count { $0.pid != nil })
            if isStopping {
                if children.allSatisfy({ $0.pid == nil }) { break }
                if !killed, let deadline = stopDeadline, now >= deadline {
                    logger.warning("serving processes did not stop within \(Self.milliseconds(server.options.stopTimeout)) ms; killing them")
                    killChildren(SIGKILL)
                }
            } else {
                for slot in children.indices where children[slot].pid == nil {
                    if let due = children[slot].restartAt, due <= now { spawn(slot, makeApplication: makeApplication) }
                }
            }
            waitForWake(now: now)
        }
        logger.info("all serving processes stopped")
        return failed ? 1 : 0
    }

    // MARK: - Steps of the loop

    private mutating func handleStopSignals(now: ContinuousClock.Instant) {
        let count = SignalHandling.masterStopCount.load(ordering: .acquiring)
        guard count > seenStopSignals else { return }
        let signal = SignalHandling.masterLastStopSignal.load(ordering: .acquiring)
        let name = String(cString: strsignal(signal))
        if isStopping {
            logger.warning("second stop signal (\(name)); killing the serving processes now")
            killChildren(SIGKILL)
        } else {
            logger.info("stop signal (\(name)); forwarding SIGTERM to the serving processes")
            beginStop(now: now)
        }
        seenStopSignals = count
    }

    private mutating func beginStop(now: ContinuousClock.Instant) {
        stopDeadline = now + server.options.stopTimeout
        for slot in children.indices {
            children[slot].restartAt = nil
            if let pid = children[slot].pid { _ = kill(pid, SIGTERM) }
        }
    }

    private mutating func killChildren(_ signal: Int32) {
        killed = true
        for child in children { if let pid = child.pid { _ = kill(pid, signal) } }
    }

    private mutating func reapChildren(now: ContinuousClock.Instant) {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            guard let slot = children.firstIndex(where: { $0.pid == pid }) else { continue }
            let exit = ChildExit(waitStatus: status)
            let uptime = now - children[slot].startedAt
            children[slot].pid = nil
            let fields: Logger.Metadata = ["fcgi.process": "\(slot)", "fcgi.child_pid": "\(pid)"]
            if isStopping {
                logger.info("serving process \(exit)", metadata: fields)
            } else if exit == .exited(FastCGIServer.applicationFailedExitCode) {
                logger.critical("serving process could not build its application; stopping instead of restarting", metadata: fields)
                failed = true
                beginStop(now: now)
            } else {
                let backoff = uptime < Self.healthyUptime
                    ? min(max(children[slot].backoff * 2, Self.firstBackoff), Self.maxBackoff)
                    : Self.firstBackoff
                children[slot].backoff = backoff
                children[slot].restartAt = now + backoff
                logger.warning("serving process \(exit) after \(Self.milliseconds(uptime)) ms; restarting in \(Self.milliseconds(backoff)) ms",
                               metadata: fields)
            }
        }
    }

    /// Forks the serving process of `slot`. Signals stay blocked across fork so that the master's handlers never
    /// run in the child; the child installs the serving handlers, then unblocks them.
    private mutating func spawn(_ slot: Int, makeApplication: () throws -> FastCGIApplication) {
        side?.beforeFork()
        fflush(nil)
        let previousMask = SignalHandling.blockForFork()
        let masterPID = getpid()
        let pid = fork()
        if pid == 0 {
            SignalHandling.leaveMasterRole()
            _ = close(wakeRead)
            _ = close(wakeWrite)
            if let side { _ = close(side.fd) }  // the master's alone
            var childLogger = logger
            childLogger[metadataKey: "fcgi.process"] = "\(slot)"
            // Everything the child does runs on a thread created after the fork (see
            // FreshThread); this one keeps the signals blocked and waits.
            _exit(FreshThread.run { [server] in
                do {
                    try SignalHandling.installServingHandlers(listenFD: server.socket.fd)
                } catch {
                    childLogger.critical("cannot install signal handlers: \(error)")
                    return 1
                }
                SignalHandling.dieWithParent(masterPID: masterPID)
                SignalHandling.restoreMask(previousMask)
                return server.runServingProcess(makeApplication: makeApplication, logger: childLogger)
            })
        }
        let forkErrno = errno
        SignalHandling.restoreMask(previousMask)
        let now = ContinuousClock.now
        if pid < 0 {
            logger.error("\(FastCGIError.system(function: "fork", target: "serving process \(slot)", errno: forkErrno)); retrying in 1 s")
            children[slot].restartAt = now + .seconds(1)
            return
        }
        children[slot].pid = pid
        children[slot].startedAt = now
        children[slot].restartAt = nil
        server.setServingProcesses(children.count { $0.pid != nil })
        logger.info("serving process started", metadata: ["fcgi.process": "\(slot)", "fcgi.child_pid": "\(pid)"])
    }

    /// Sleeps in `poll` until a signal arrives (self-pipe), the side listener has a connection,
    /// or the next restart or stop deadline. The side listener is served here, on the master's
    /// main thread; whatever threads it starts are waited for before a fork (`beforeFork`).
    private func waitForWake(now: ContinuousClock.Instant) {
        let wakeAt: ContinuousClock.Instant? = isStopping
            ? (killed ? nil : stopDeadline)
            : children.compactMap { $0.pid == nil ? $0.restartAt : nil }.min()
        var timeout: Int32 = -1
        if let wakeAt { timeout = Int32(clamping: max(0, Self.milliseconds(wakeAt - now) + 1)) }
        var descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        if let side { descriptors.append(pollfd(fd: side.fd, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), timeout)
        if let side, descriptors.count > 1, descriptors[1].revents != 0 { side.serveReady() }
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
