import BotStore
import Foundation
import Logging
import Threads
import WeComModel

/// One thread per worker process that writes every running answer's progress — its latest
/// text and lease — in a single transaction per flush interval. A thousand streaming answers
/// then cost ten write transactions a second instead of ten thousand, the text that arrives
/// before a pause is still written within one interval, and lease losses come back to the
/// answer that lost them. The same thread and connection keep the worker's heartbeat row.
public final class ProgressWriter: @unchecked Sendable {
    // @unchecked: `pending` and `lost` are only touched while holding `lock`; the store is used
    // by the writer thread alone.
    private struct Pending {
        var owner: String
        var answer: String?
        var leaseUntil: Int64
    }

    private let lock = NSLock()
    private var pending: [Int64: Pending] = [:]
    private var lost: Set<Int64> = []
    private var thread: IntervalThread?  // set once, in init
    /// Updates written per transaction.
    static let updatesPerTransaction = 64
    private let store: BotStore
    private let logger: Logger
    private let heartbeat: HeartbeatWriter?

    public convenience init(store: BotStore, interval: Double, logger: Logger) {
        self.init(store: store, interval: interval, logger: logger, heartbeat: nil)
    }

    init(store: BotStore, interval: Double, logger: Logger, heartbeat: HeartbeatWriter?) {
        self.store = store
        self.logger = logger
        self.heartbeat = heartbeat
        // Set once here (the tick needs `self`); the last tick at stop() writes what is pending,
        // then deletes the heartbeat row.
        thread = IntervalThread(name: "progress-writer", interval: max(interval, 0.01)) { [weak self] last in
            guard let self else { return }
            lock.lock()
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            lock.unlock()
            flush(batch)
            if last { heartbeat?.remove(on: store) } else { heartbeat?.beatIfDue(on: store) }
        }
    }

    /// Writes the first heartbeat (on the caller's thread: the writer's has not started yet), then
    /// starts the thread.
    public func start() {
        heartbeat?.beatIfDue(on: store)
        thread?.start()
    }

    /// The answer so far (nil: lease only). The newest submission for a job wins.
    func submit(jobID: Int64, owner: String, answer: String?, leaseUntil: Int64) {
        lock.lock()
        let keptAnswer = answer ?? pending[jobID]?.answer
        pending[jobID] = Pending(owner: owner, answer: keptAnswer, leaseUntil: leaseUntil)
        lock.unlock()
    }

    /// True once a flush found that another worker owns the job now.
    func isLost(_ jobID: Int64) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return lost.contains(jobID)
    }

    /// The job ended on its runner: drop what is still waiting for it.
    func forget(_ jobID: Int64) {
        lock.lock()
        pending[jobID] = nil
        lost.remove(jobID)
        lock.unlock()
    }

    /// Writes what is pending, then ends the thread.
    public func stop() { thread?.stop() }

    private func flush(_ batch: [Int64: Pending]) {
        guard !batch.isEmpty else { return }
        let updates = batch.map { id, p in
            ProgressUpdate(jobID: id, owner: p.owner,
                           content: p.answer.map { StreamContent.truncated(MarkdownImages.displayText($0, fetched: [])) },
                           leaseUntil: p.leaseUntil)
        }
        do {
            // Several short transactions rather than one long one, so that a runner finishing
            // its answer (finishJob) never waits behind a thousand other answers' updates.
            var lostIDs: [Int64] = []
            var start = 0
            while start < updates.count {
                let end = min(start + Self.updatesPerTransaction, updates.count)
                lostIDs += try store.writeProgress(Array(updates[start..<end]), now: Int64(Date().timeIntervalSince1970))
                start = end
            }
            guard !lostIDs.isEmpty else { return }
            lock.lock()
            lost.formUnion(lostIDs)
            lock.unlock()
        } catch {
            logger.warning("progress write failed, will retry with the next flush: \(error)")
            lock.lock()
            for (id, older) in batch {
                if var newer = pending[id] {
                    if newer.answer == nil { newer.answer = older.answer }
                    pending[id] = newer
                } else {
                    pending[id] = older
                }
            }
            lock.unlock()
        }
    }
}
