import BotStore
import Foundation
import StoreTestSupport
import Testing
@testable import SQLiteStore

/// The `AcceptCommitter` of one responder process: messages that arrive while a commit runs
/// share the next transaction. The test holds the `-accept.lock` turn (as another responder
/// process would) so that it decides when each commit may go ahead.
@Suite struct GroupCommitTests {
    /// One accept per thread, each on its own store (as the serving threads have), all sharing
    /// `committer`; results in call order.
    final class Accepts: @unchecked Sendable {
        // @unchecked: `results` is guarded by `lock`; `group` is thread-safe.
        private let lock = NSLock()
        private var results: [String: Result<AcceptedMessage, any Error>] = [:]
        private let group = DispatchGroup()

        func start(_ message: NewMessage, key: String, path: String, committer: AcceptCommitter,
                   callbackWait: Duration = SQLiteStore.callbackWait) {
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                let result = Result { () throws -> AcceptedMessage in
                    let store = try SQLiteStore(path: path, acceptCommitter: committer, callbackWait: callbackWait)
                    defer { store.close() }
                    return try store.acceptMessage(message, now: 1_700_000_000)
                }
                lock.lock()
                results[key] = result
                lock.unlock()
            }.start()
        }

        func wait() -> [String: Result<AcceptedMessage, any Error>] {
            group.wait()
            lock.lock()
            defer { lock.unlock() }
            return results
        }
    }

    /// Holds the committers' turn, like a commit of another process in progress.
    final class HeldTurn {
        private let fd: Int32
        init(databasePath: String) throws {
            fd = open(databasePath + "-accept.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            try #require(fd >= 0)
            try #require(flock(fd, LOCK_EX) == 0)
        }
        func release() { flock(fd, LOCK_UN) }
        deinit { close(fd) }
    }

    /// Whether the committers' turn is free: taken (without waiting) and given back at once.
    func turnIsFree(databasePath: String) throws -> Bool {
        let fd = open(databasePath + "-accept.lock", O_RDWR | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        flock(fd, LOCK_UN)
        return true
    }

    func waitUntil(_ what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while !condition() {
            try #require(Date() < deadline, "timed out waiting until \(what)")
            usleep(1_000)
        }
    }

    /// Accepts `messages` in one batch: the test holds the turn (as another process committing
    /// would) while the first message's commit waits for it and the others queue behind, then
    /// releases it. The results by key.
    func acceptInOneBatch(_ messages: [(key: String, message: NewMessage)], path: String, committer: AcceptCommitter,
                          callbackWait: Duration = SQLiteStore.callbackWait) throws
        -> [String: Result<AcceptedMessage, any Error>] {
        let turn = try HeldTurn(databasePath: path)
        let accepts = Accepts()
        for (index, (key, message)) in messages.enumerated() {
            accepts.start(message, key: key, path: path, committer: committer, callbackWait: callbackWait)
            if index == 0 { try waitUntil("the first commit waits for its turn") { committer.state == (1, true) } }
        }
        try waitUntil("the other messages queue") { committer.state.queued == messages.count }
        turn.release()
        return accepts.wait()
    }

    /// The first message starts a commit that waits for the turn (another process is
    /// committing); the next five queue meanwhile, and all six are committed in one transaction
    /// once the turn comes, including a redelivery of one of them.
    @Test func messagesArrivingWhileAnotherProcessCommitsJoinTheNextCommit() throws {
        try withMigratedStore { store, path throws in
            let committer = try AcceptCommitter(path: path)
            let results = try acceptInOneBatch(["first", "a", "b", "c", "dup-1", "dup-2"].map { key in
                (key, .mock(msgID: key.hasPrefix("dup") ? "dup" : key, streamID: "s-\(key)"))
            }, path: path, committer: committer)

            #expect(committer.committed == AcceptCommitter.Counts(transactions: 1, messages: 6))
            let accepted = try results.mapValues { try $0.get() }
            for key in ["first", "a", "b", "c"] {
                #expect(accepted[key]?.isNew == true)
                #expect(accepted[key]?.stream.id == "s-\(key)")
            }
            let dups = [accepted["dup-1"], accepted["dup-2"]].compactMap { $0 }
            #expect(dups.count == 2)
            #expect(Set(dups.map(\.stream.id)).count == 1, "a redelivery in the same batch gets the same stream")
            #expect(dups.filter(\.isNew).count == 1)
            #expect(try store.scalarInt("SELECT count(*) FROM messages") == 5)
            #expect(try store.scalarInt("SELECT count(*) FROM streams") == 5)
            #expect(try store.scalarInt("SELECT count(*) FROM jobs WHERE state = 'queued'") == 5)
        }
    }

    /// A message whose stream id is taken fails its batch; the batch is rolled back and each
    /// message retried alone, so only that one fails and the others are committed.
    @Test func aFailingMessageFailsAloneAndTheRestOfItsBatchIsCommitted() throws {
        try withMigratedStore { store, path throws in
            _ = try store.acceptMessage(.mock(msgID: "earlier", streamID: "s-taken"), now: 1_700_000_000)
            let committer = try AcceptCommitter(path: path)
            let results = try acceptInOneBatch(["first", "good-1", "clash", "good-2"].map { key in
                (key, .mock(msgID: key, streamID: key == "clash" ? "s-taken" : "s-\(key)"))
            }, path: path, committer: committer)

            #expect(throws: SQLiteError.self) { try results["clash"]?.get() }
            for key in ["first", "good-1", "good-2"] {
                #expect(try results[key]?.get().isNew == true)
            }
            // The failed batch of four, then each of the four again in a transaction of its own.
            #expect(committer.committed == AcceptCommitter.Counts(transactions: 5, messages: 4))
            #expect(try store.scalarInt("SELECT count(*) FROM messages WHERE msgid IN ('first','good-1','good-2')") == 3)
            #expect(try store.scalarInt("SELECT count(*) FROM messages WHERE msgid = 'clash'") == 0)
            #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 4)
        }
    }

    /// Without a turn held by anyone, a lone message is committed at once, in its own transaction.
    @Test func aLoneMessageIsCommittedAtOnce() throws {
        try withMigratedStore { store, path throws in
            let committer = try AcceptCommitter(path: path)
            let own = try SQLiteStore(path: path, acceptCommitter: committer)
            defer { own.close() }
            let accepted = try own.acceptMessage(.mock(msgID: "one", streamID: "s-one"), now: 1_700_000_000)
            #expect(accepted.isNew)
            #expect(committer.committed == AcceptCommitter.Counts(transactions: 1, messages: 1))
            #expect(committer.state == (0, false))
            #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 1)
        }
    }

    /// While another connection holds SQLite's write lock (an operator's `BEGIN IMMEDIATE`), a
    /// batch fails as a whole at its deadline, with `StoreError.unavailable`: it is not retried
    /// one message at a time (which would wait again for each). Nothing is stored, and the same
    /// messages once the lock is released are each stored once.
    @Test func aBatchGivesUpTogetherWhileTheWriteLockStaysTaken() throws {
        try withMigratedStore { store, path throws in try withWriteLockHeld(on: path) { holder throws in
            let committer = try AcceptCommitter(path: path)
            let keys = ["first", "a", "b", "c"]
            let results = try acceptInOneBatch(keys.map { ($0, .mock(msgID: $0, streamID: "s-\($0)")) }, path: path,
                                               committer: committer, callbackWait: .milliseconds(300))

            for key in keys {
                #expect(throws: StoreError.self, "\(key)") { try results[key]?.get() }
                if case let .failure(StoreError.unavailable(cause)) = results[key] {
                    #expect(cause.hasPrefix("database is locked (another connection holds the write lock) after "))
                }
            }
            let counts = committer.committed
            #expect(counts.messages == 4)
            #expect(counts.transactions <= 2, "tried within the turn and once more after it, never one by one")
            #expect(try store.scalarInt("SELECT count(*) FROM messages") == 0)

            try holder.execute("ROLLBACK")
            let again = Accepts()
            for key in keys {
                again.start(.mock(msgID: key, streamID: "s2-\(key)"), key: key, path: path, committer: committer)
            }
            #expect(try again.wait().values.allSatisfy { try $0.get().isNew })
            #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 4)
        } }
    }

    /// A commit waiting for SQLite's write lock longer than a commit takes gives up the turn (so
    /// the committers of other processes can reach their own deadlines) and goes on waiting
    /// without it; once the lock is free, its message is committed.
    @Test func aCommitWaitingForALongHeldLockGivesUpTheTurn() throws {
        try withMigratedStore { store, path throws in try withWriteLockHeld(on: path) { holder throws in
            let committer = try AcceptCommitter(path: path)
            let accepts = Accepts()
            accepts.start(.mock(msgID: "one", streamID: "s-one"), key: "one", path: path, committer: committer,
                          callbackWait: .seconds(60))
            try waitUntil("the commit has taken its message") { committer.state == (0, true) }
            try waitUntil("the turn is free") { (try? turnIsFree(databasePath: path)) == true }
            #expect(committer.state.committing, "the commit still waits for SQLite's lock")

            try holder.execute("ROLLBACK")
            #expect(try accepts.wait()["one"]?.get().isNew == true)
            #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 1)
        } }
    }
}
