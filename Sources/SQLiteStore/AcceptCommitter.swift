import BotStore
import Foundation

/// Group commit of new messages for the serving threads of one responder process.
///
/// Each new message costs one write transaction, and a transaction writes every B-tree page it
/// touched (6 pages of 4 KiB for a message) to the WAL, under the one write lock that every
/// process shares. Here a thread that accepts a message while another thread of the process is
/// committing waits, and the next commit takes all the messages that arrived meanwhile: one
/// transaction, one lock, and the shared index pages written once. A message alone is
/// committed at once, so nothing waits for a batch to fill.
///
/// The first thread to find no commit running becomes the committer. It waits for the
/// process's turn (``WriterTurnLock``), then takes everything queued by then, including its own
/// message, so the messages that arrived while other processes committed join this commit. The
/// other threads sleep until their result is set. If any message of a batch fails, the batch is
/// rolled back and each of its messages is retried in a transaction of its own, so one bad
/// message fails alone. Messages with the same msgid in one batch are accepted in arrival order:
/// the first opens the stream, the rest see it as a redelivery.
///
/// Each message comes with its deadline (``SQLiteStore/callbackWait`` after it arrived), and a
/// commit waits for SQLite's write lock until the earliest deadline of its batch, at most: when
/// the lock stays taken (an operator's open transaction), every message of the batch fails with
/// `SQLITE_BUSY` by then, without being retried one by one.
public final class AcceptCommitter: @unchecked Sendable {
    // @unchecked: `queue`, `committing`, `counts` and the tickets' results are only touched with
    // `condition` locked; `writer` only by the thread that set `committing`.
    private final class Ticket {
        let message: NewMessage
        let now: Int64
        let deadline: ContinuousClock.Instant
        var result: Result<AcceptedMessage, any Error>?
        init(_ message: NewMessage, now: Int64, deadline: ContinuousClock.Instant) {
            self.message = message; self.now = now; self.deadline = deadline
        }
    }

    /// What became of a batch: each message's result, or SQLite's write lock was still taken
    /// when the wait ended (nothing committed).
    private enum Outcome {
        case done([Result<AcceptedMessage, any Error>])
        case lockTaken(any Error)
    }

    /// How long a commit waits for SQLite's write lock while it holds the turn: longer than
    /// another connection's commit takes, so that under ordinary contention the turn keeps
    /// ordering the processes. A longer holder is an operator's transaction or a large write;
    /// the commit then waits for it without the turn, so that the committers of other processes
    /// are not held up behind this one and each gives up at its own messages' deadline.
    static let turnPatience: Duration = .milliseconds(100)

    /// How many transactions (tried) took how many messages, since the start.
    public struct Counts: Sendable, Equatable {
        public var transactions = 0
        public var messages = 0
    }

    private let writer: SQLiteStore
    private let turn: WriterTurnLock
    private let condition = NSCondition()
    private var queue: [Ticket] = []
    private var committing = false
    private var counts = Counts()

    /// Opens the committer's own connection to the database at `path` (never checkpointing on
    /// commit: the process's `BackgroundCheckpointer` does).
    /// Also creates `<path>-accept.lock`, which the committers of all responder processes take
    /// in turn (see ``WriterTurnLock``).
    public init(path: String) throws {
        writer = try SQLiteStore(path: path, autoCheckpointPages: 0)
        turn = try WriterTurnLock(databasePath: path)
    }

    public var committed: Counts {
        condition.lock()
        defer { condition.unlock() }
        return counts
    }

    /// Messages waiting for the next commit, and whether a commit is running (for tests).
    var state: (queued: Int, committing: Bool) {
        condition.lock()
        defer { condition.unlock() }
        return (queue.count, committing)
    }

    /// `BotStore.acceptMessage`, committed together with the messages other threads of this
    /// process accept at the same time. Throws `SQLITE_BUSY` when SQLite's write lock stayed
    /// taken until `deadline` (or until an earlier message's deadline in the same batch).
    public func accept(_ message: NewMessage, now: Int64, deadline: ContinuousClock.Instant) throws -> AcceptedMessage {
        let ticket = Ticket(message, now: now, deadline: deadline)
        condition.lock()
        queue.append(ticket)
        while ticket.result == nil {
            if committing {
                condition.wait()
                continue
            }
            committing = true
            condition.unlock()
            commitQueue()
            condition.lock()
            // Only once the turn is released: the threads of a process share the lock file's
            // descriptor, and `flock` on a descriptor that already holds the lock returns at once.
            committing = false
            condition.broadcast()
        }
        condition.unlock()
        return try ticket.result!.get()
    }

    /// On the committing thread: waits for the turn, then takes the queue only now, so whatever
    /// arrived while other processes committed goes into this commit, commits it and sets every
    /// result. Should SQLite's lock stay taken past ``turnPatience``, the turn is given up and
    /// the batch waits for the lock (and is tried again) until its deadline.
    private func commitQueue() {
        var batch: [Ticket] = []
        var deadline = ContinuousClock.now
        var (outcome, transactions) = turn.withTurn {
            batch = takeQueue()
            deadline = batch.map(\.deadline).min() ?? deadline
            return commit(batch, waitingUntil: min(deadline, .now + Self.turnPatience), deadline: deadline)
        }
        if case .lockTaken = outcome, ContinuousClock.now < deadline {
            let (retried, more) = commit(batch, waitingUntil: deadline, deadline: deadline)
            (outcome, transactions) = (retried, transactions + more)
        }
        let results: [Result<AcceptedMessage, any Error>]
        switch outcome {
        case let .done(done): results = done
        case let .lockTaken(error): results = batch.map { _ in .failure(error) }
        }
        condition.lock()
        for (ticket, result) in zip(batch, results) { ticket.result = result }
        counts.transactions += transactions
        counts.messages += batch.count
        condition.unlock()
    }

    private func takeQueue() -> [Ticket] {
        condition.lock()
        defer { condition.unlock() }
        let batch = queue
        queue = []
        return batch
    }

    /// Without `condition` locked: the batch in one transaction, waiting for SQLite's write lock
    /// until `waitEnd`; if a message fails it, each message again in a transaction of its own
    /// (waiting until `deadline`). A failure that every message would meet alike (the lock not
    /// free in time, the file unreachable) fails them all at once, so a batch never waits more
    /// than once per try. Returns the outcome and how many transactions that took.
    private func commit(_ batch: [Ticket], waitingUntil waitEnd: ContinuousClock.Instant,
                        deadline: ContinuousClock.Instant) -> (Outcome, Int) {
        do {
            let accepted = try writer.acceptMessages(batch.map { ($0.message, $0.now) }, waitingUntil: waitEnd)
            return (.done(accepted.map { .success($0) }), 1)
        } catch let error where SQLiteError.busy ~= error {
            return (.lockTaken(error), 1)
        } catch let error where batch.count == 1 || (error as? SQLiteError)?.unavailableCause != nil {
            return (.done(batch.map { _ in .failure(error) }), 1)
        } catch {
            let results = batch.map { ticket in
                Result { try writer.acceptMessages([(ticket.message, ticket.now)], waitingUntil: deadline)[0] }
            }
            return (.done(results), 1 + batch.count)
        }
    }
}
