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

        func start(_ message: NewMessage, key: String, path: String, committer: AcceptCommitter) {
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                let result = Result { () throws -> AcceptedMessage in
                    let store = try SQLiteStore(path: path, acceptCommitter: committer)
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

    func waitUntil(_ what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while !condition() {
            try #require(Date() < deadline, "timed out waiting until \(what)")
            usleep(1_000)
        }
    }

    /// The first message starts a commit that waits for the turn (another process is
    /// committing); the next five queue meanwhile, and all six are committed in one transaction
    /// once the turn comes, including a redelivery of one of them.
    @Test func messagesArrivingWhileAnotherProcessCommitsJoinTheNextCommit() throws {
        try withMigratedStore { store, path throws in
            let committer = try AcceptCommitter(path: path)
            let turn = try HeldTurn(databasePath: path)
            let accepts = Accepts()
            accepts.start(.mock(msgID: "first", streamID: "s-first"), key: "first", path: path, committer: committer)
            try waitUntil("the first commit waits for its turn") { committer.state == (1, true) }
            for key in ["a", "b", "c", "dup-1", "dup-2"] {
                let msgID = key.hasPrefix("dup") ? "dup" : key
                accepts.start(.mock(msgID: msgID, streamID: "s-\(key)"), key: key, path: path, committer: committer)
            }
            try waitUntil("five more messages queue") { committer.state.queued == 6 }
            turn.release()
            let results = accepts.wait()

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
            let turn = try HeldTurn(databasePath: path)
            let accepts = Accepts()
            accepts.start(.mock(msgID: "first", streamID: "s-first"), key: "first", path: path, committer: committer)
            try waitUntil("the first commit waits for its turn") { committer.state == (1, true) }
            accepts.start(.mock(msgID: "good-1", streamID: "s-good-1"), key: "good-1", path: path, committer: committer)
            accepts.start(.mock(msgID: "clash", streamID: "s-taken"), key: "clash", path: path, committer: committer)
            accepts.start(.mock(msgID: "good-2", streamID: "s-good-2"), key: "good-2", path: path, committer: committer)
            try waitUntil("three more messages queue") { committer.state.queued == 4 }
            turn.release()
            let results = accepts.wait()

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
}
