import BotConfig
import BotStore
import Foundation
import Logging
import WakeSignal

/// `--concurrency K` worker threads in one process, each with its own store connection and
/// curl handles, claiming jobs until shutdown. A wake socket lets responders start a job
/// within milliseconds; a short poll covers lost datagrams and lease expiries.
public final class WorkerPool: @unchecked Sendable {
    // @unchecked: configuration and closures are immutable; mutable state is in WakeBoard
    // (locked) and `released` (atomic through the lock below).
    private let configuration: Configuration
    private let concurrency: Int
    private let logger: Logger
    private let makeStore: @Sendable () throws -> BotStore
    private let board = WakeBoard()
    private let lock = NSLock()
    private var released = false
    private var threads: [Thread] = []
    private let finished = DispatchGroup()
    /// Longest sleep between two looks at the queue when nobody wakes us.
    public var pollInterval: Double = 1.0

    public init(configuration: Configuration, concurrency: Int, logger: Logger,
                makeStore: @escaping @Sendable () throws -> BotStore) {
        self.configuration = configuration
        self.concurrency = concurrency
        self.logger = logger
        self.makeStore = makeStore
    }

    /// Starts the threads and blocks until they have all stopped. Returns an exit code.
    public func run() -> Int32 {
        let receiver: WakeReceiver?
        do {
            receiver = try WakeReceiver(directory: configuration.wakeDirectory)
        } catch {
            logger.warning("no wake socket, polling only: \(error)")
            receiver = nil
        }
        if let receiver { startWakeListener(receiver) }
        let failures = FailureCount()
        for index in 0..<concurrency {
            finished.enter()
            let thread = Thread { [self] in
                defer { finished.leave() }
                if !work(index: index) { failures.add() }
            }
            thread.name = "worker-\(index)"
            thread.start()
            threads.append(thread)
        }
        finished.wait()
        withExtendedLifetime(receiver) {}
        return failures.value == 0 ? 0 : 1
    }

    /// Stop claiming; in-flight answers get `grace` seconds to finish, then are released.
    public func stop(grace: Double) {
        logger.notice("stopping: no new jobs; in-flight answers have \(grace) s to finish")
        board.stop()
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            lock.lock(); released = true; lock.unlock()
        }
    }

    private var isReleased: Bool {
        lock.lock(); defer { lock.unlock() }
        return released
    }

    private func startWakeListener(_ receiver: WakeReceiver) {
        let board = self.board
        let address = UInt(bitPattern: Unmanaged.passUnretained(receiver).toOpaque())
        let thread = Thread {
            // The receiver outlives this thread: run() keeps it alive until every worker is done.
            let receiver = Unmanaged<WakeReceiver>.fromOpaque(UnsafeRawPointer(bitPattern: address)!).takeUnretainedValue()
            while !board.isStopping {
                if receiver.wait(timeout: 0.5) { board.wakeAll() }
            }
        }
        thread.name = "wake-listener"
        thread.start()
    }

    /// One worker thread's life. Returns false when it could not start.
    private func work(index: Int) -> Bool {
        let owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(index)"
        var log = logger
        log[metadataKey: "worker"] = "\(index)"
        let store: BotStore
        do {
            store = try makeStore()
        } catch {
            log.critical("cannot open the store: \(error)")
            return false
        }
        let runner = JobRunner(configuration: configuration, store: store, owner: owner, logger: log)
        runner.shouldRelease = { [weak self] in self?.isReleased ?? true }
        let lease = Int64(configuration.jobLease.rounded(.up))
        while !board.isStopping {
            let seen = board.current
            do {
                let now = Date().timeIntervalSince1970
                if let job = try store.claimJob(owner: owner, now: Int64(now), lease: lease) {
                    runner.run(job)
                    continue
                }
                let nextDue = try store.nextJobDue().map { Double($0) - now } ?? pollInterval
                board.wait(after: seen, timeout: min(max(nextDue, 0.01), pollInterval))
            } catch {
                log.error("queue error: \(error)")
                board.wait(after: seen, timeout: pollInterval)
            }
        }
        return true
    }
}

/// Counts worker threads that could not start.
private final class FailureCount: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
