import BotConfig
import BotStore
import Foundation
import Logging
import Threads

/// `--concurrency K` runner threads in one process, fed by one claimer thread, with one
/// progress writer batching every running answer's writes. The runners' own store calls
/// (finish, retry, close early, conversations) share a small pool of connections, so the
/// process holds `storeConnections + 2` connections however many answers run. The backend's job
/// signal lets responders start a job within milliseconds; a short poll covers lost signals and
/// lease expiries. The progress writer's thread also keeps the process's heartbeat row
/// (`WECOM_WORKER_HEARTBEAT`), deleted when `run` returns after a clean stop.
public final class WorkerPool: @unchecked Sendable {
    // @unchecked: configuration and closures are immutable; mutable state lives in WakeBoard,
    // JobHandoff and StorePool (all locked) and `released` (guarded by `lock`).
    private let configuration: Configuration
    /// Jobs run at once (`--concurrency`).
    public let concurrency: Int
    private let logger: Logger
    private let metrics: any JobMetrics
    private let makeStore: @Sendable () throws -> BotStore
    private let makeClients: @Sendable () -> RunnerClients
    private let makeJobWaiter: @Sendable () throws -> any JobWaiter
    private let board = WakeBoard()
    private let handoff: JobHandoff
    private let stores: StorePool<any BotStore>
    private let lock = NSLock()
    private var released = false
    private var claiming = false
    private let finished = DispatchGroup()
    /// This process in its heartbeat row and `wecomctl status`.
    public let worker = ConnectionHolder(host: ProcessInfo.processInfo.hostName, pid: getpid(),
                                         nonce: String(UInt32.random(in: .min ... .max), radix: 16))
    /// Longest sleep between two looks at the queue when nobody wakes us.
    public var pollInterval: Double = 1.0

    /// The default number of connections the runners share: writes take SQLite's one write
    /// lock in turn anyway, and reads are short.
    public static let defaultStoreConnections = 4

    /// `makeClients` runs on each runner thread, on its first job: idle slots cost no curl handles.
    /// `makeJobWaiter` runs once, on the thread that waits for the job signal.
    public init(configuration: Configuration, concurrency: Int, storeConnections: Int = defaultStoreConnections,
                logger: Logger, metrics: any JobMetrics = NoJobMetrics(), makeClients: @escaping @Sendable () -> RunnerClients,
                makeJobWaiter: @escaping @Sendable () throws -> any JobWaiter,
                makeStore: @escaping @Sendable () throws -> BotStore) {
        self.configuration = configuration
        self.concurrency = concurrency
        self.logger = logger
        self.metrics = metrics
        self.makeClients = makeClients
        self.makeJobWaiter = makeJobWaiter
        self.makeStore = makeStore
        handoff = JobHandoff(capacity: concurrency)
        stores = StorePool(capacity: max(1, min(storeConnections, concurrency)), make: makeStore)
    }

    /// Starts the threads and blocks until they have all stopped. Returns an exit code.
    public func run() -> Int32 {
        let claimStore: BotStore, progress: ProgressWriter
        let handoff = self.handoff
        let heartbeat = HeartbeatWriter(worker: worker, concurrency: concurrency, period: configuration.workerHeartbeat,
                                        logger: logger, busy: { handoff.busyRunners })
        do {
            claimStore = try makeStore()
            progress = ProgressWriter(store: try makeStore(), interval: configuration.streamFlushInterval, logger: logger,
                                      heartbeat: heartbeat)
        } catch {
            logger.critical("cannot open the store: \(error)")
            return 1
        }
        let listener = startJobListener()
        progress.start()
        for index in 0..<concurrency { startRunner(index: index, progress: progress) }
        claim(with: claimStore)
        finished.wait()
        progress.stop()
        if let listener { pthread_join(listener, nil) }
        return 0
    }

    /// Stop claiming; in-flight answers get `grace` seconds to finish, then are released.
    public func stop(grace: Double) {
        logger.notice("stopping: no new jobs; in-flight answers have \(grace) s to finish")
        board.stop()
        handoff.stopClaiming()
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            lock.lock(); released = true; lock.unlock()
        }
    }

    private var isReleased: Bool {
        lock.lock(); defer { lock.unlock() }
        return released
    }

    /// Whether the claim loop runs (from its start until it stops claiming), for `/healthz`.
    public var isClaiming: Bool {
        lock.lock(); defer { lock.unlock() }
        return claiming
    }

    /// Runners holding a job now.
    public var busySlots: Int { handoff.busyRunners }

    /// The claimer (on the calling thread): claims a job whenever a runner is free.
    private func claim(with store: BotStore) {
        let lease = Int64(configuration.jobLease.rounded(.up))
        let prefix = "\(ProcessInfo.processInfo.hostName):\(getpid())"
        var claims = 0
        lock.lock(); claiming = true; lock.unlock()
        defer { lock.lock(); claiming = false; lock.unlock() }
        while !board.isStopping && handoff.waitForFreeRunner() {
            let seen = board.current
            do {
                let now = Date().timeIntervalSince1970
                claims += 1
                let owner = "\(prefix):\(claims)"
                if let job = try store.claimJob(owner: owner, now: Int64(now), lease: lease) {
                    handoff.put(JobHandoff.Claimed(job: job, owner: owner))
                    continue
                }
                let nextDue = try store.nextJobDue().map { Double($0) - now } ?? pollInterval
                board.wait(after: seen, timeout: min(max(nextDue, 0.01), pollInterval))
            } catch {
                logger.error("queue error: \(error)")
                board.wait(after: seen, timeout: pollInterval)
            }
        }
        let now = Int64(Date().timeIntervalSince1970)
        for left in handoff.close() {
            _ = try? store.retryJob(jobID: left.job.id, owner: left.owner, runAt: now,
                                    error: "released at worker shutdown", now: now)
        }
    }

    private func startRunner(index: Int, progress: ProgressWriter) {
        finished.enter()
        let thread = Thread { [self] in
            defer { finished.leave() }
            var log = logger
            log[metadataKey: "worker"] = "\(index)"
            var runner: JobRunner?
            while let claimed = handoff.take() {
                defer { handoff.done() }
                if runner == nil {
                    // Made on the first job, so idle slots cost no curl handles.
                    runner = JobRunner(configuration: configuration, stores: stores, progress: progress,
                                       clients: makeClients(), logger: log, metrics: metrics)
                    runner?.shouldRelease = { [weak self] in self?.isReleased ?? true }
                }
                runner?.run(claimed.job, owner: claimed.owner)
            }
        }
        thread.name = "worker-\(index)"
        thread.start()
    }

    /// The thread that waits for the job signal and wakes the claimer. The waiter is made and
    /// used on this thread alone (it holds the process's socket or connection); `run` waits until
    /// it exists, so that no signal sent after the first claim is missed, and joins the thread at
    /// the end, so that the waiter is gone when `run` returns. Nil when no thread could start.
    private func startJobListener() -> pthread_t? {
        let board = self.board, logger = self.logger, makeJobWaiter = self.makeJobWaiter
        let ready = DispatchSemaphore(value: 0)
        do {
            let thread = try JoinableThread.start("job listener") {
                Thread.current.name = "job-listener"
                let waiter: (any JobWaiter)?
                do {
                    waiter = try makeJobWaiter()
                } catch {
                    logger.warning("no job signal, polling only: \(error)")
                    waiter = nil
                }
                ready.signal()
                guard let waiter else { return }
                while !board.isStopping {
                    if waiter.wait(timeout: 0.5) { board.wakeAll() }
                }
            }
            ready.wait()
            return thread
        } catch {
            logger.warning("no job signal, polling only: \(error)")
            return nil
        }
    }
}
