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
public final class AcceptCommitter: @unchecked Sendable {
    // @unchecked: `queue`, `committing`, `counts` and the tickets' results are only touched with
    // `condition` locked; `writer` only by the thread that set `committing`.
    private final class Ticket {
        let message: NewMessage
        let now: Int64
        var result: Result<AcceptedMessage, any Error>?
        init(_ message: NewMessage, now: Int64) { self.message = message; self.now = now }
    }

    /// How many transactions committed how many messages, since the start.
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
    /// process accept at the same time.
    public func accept(_ message: NewMessage, now: Int64) throws -> AcceptedMessage {
        let ticket = Ticket(message, now: now)
        condition.lock()
        queue.append(ticket)
        while ticket.result == nil {
            if committing {
                condition.wait()
                continue
            }
            committing = true
            condition.unlock()
            turn.withTurn { commitQueue() }
            condition.lock()
            // Only once the turn is released: the threads of a process share the lock file's
            // descriptor, and `flock` on a descriptor that already holds the lock returns at once.
            committing = false
            condition.broadcast()
        }
        condition.unlock()
        return try ticket.result!.get()
    }

    /// On the committing thread, holding the turn: takes the queue only now, so whatever arrived
    /// while other processes committed goes into this commit, commits it and sets every result.
    private func commitQueue() {
        condition.lock()
        let batch = queue
        queue = []
        condition.unlock()
        let (results, transactions) = commit(batch)
        condition.lock()
        for (ticket, result) in zip(batch, results) { ticket.result = result }
        counts.transactions += transactions
        counts.messages += batch.count
        condition.unlock()
    }

    /// Without the lock. Returns each message's result and how many transactions that took.
    private func commit(_ batch: [Ticket]) -> ([Result<AcceptedMessage, any Error>], Int) {
        do {
            let accepted = try writer.acceptMessages(batch.map { ($0.message, $0.now) })
            return (accepted.map { .success($0) }, 1)
        } catch {
            guard batch.count > 1 else { return ([.failure(error)], 1) }
            return (batch.map { ticket in Result { try writer.acceptMessage(ticket.message, now: ticket.now) } },
                    1 + batch.count)
        }
    }
}
