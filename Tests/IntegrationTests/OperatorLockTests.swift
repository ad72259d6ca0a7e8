import Foundation
import StoreTestSupport
import Testing

/// Issue 17: an operator's open write transaction in the `sqlite3` shell, or `LOCK TABLE` in
/// `psql`. New messages and events cannot be stored: they get 503 (WeCom delivers them again)
/// with the cause in the log, while stream refreshes and the URL verification, which only read,
/// keep working. Once the transaction ends, the redelivered message is stored once.
@Suite(.serialized) struct OperatorLockTests {
    @Test func anOperatorsOpenTransactionGives503ForNewMessagesAndRefreshesGoOn() throws {
        let answers = try AnswerStack(workers: 0, instances: 1, processes: 2)
        defer { answers.stop() }
        let stack = answers.stack
        let shell = try SQLiteShell(databasePath: stack.databasePath, logPath: stack.scratch + "/sqlite3-shell.log")
        defer { shell.stop() }
        try expectRefusedWhileLocked(answers, shell: shell, lock: [".timeout 5000", "BEGIN IMMEDIATE;"],
                                     isLocked: { try !writeLockIsFree(stack) },
                                     cause: "store unavailable: database is locked (another connection holds the write lock) after ",
                                     shellError: "Error")
    }

    /// The operator locks the tables a callback writes in EXCLUSIVE mode: every write to them
    /// waits, reads do not (a `LOCK TABLE` without a mode, ACCESS EXCLUSIVE, would stop those too).
    @Test func anOperatorsLockTableInPsqlGives503ForNewMessagesAndRefreshesGoOn() throws {
        let answers = try AnswerStack(workers: 0, instances: 1, processes: 2, backend: .postgres)
        defer { answers.stop() }
        let database = answers.stack.database
        let operatorName = (database.schema ?? "") + "-psql"
        let shell = try OperatorShell(psql: database, applicationName: operatorName,
                                      logPath: answers.stack.scratch + "/psql-shell.log")
        defer { shell.stop() }
        try expectRefusedWhileLocked(answers, shell: shell, lock: ["BEGIN;", "LOCK TABLE messages, feedback IN EXCLUSIVE MODE;"],
                                     isLocked: {
                                         try database.lockedTables(["messages", "feedback"], mode: "ExclusiveLock", by: operatorName) == 2
                                     },
                                     cause: "store unavailable: database table locked by another transaction (lock timeout)",
                                     shellError: "ERROR")
    }

    /// After a first message, `shell` types `lock`; once `isLocked()`, a new message and a
    /// feedback event get 503 (the log line naming `cause`), a refresh and the verification
    /// 200. After `ROLLBACK`, the redelivered message and event are stored once.
    private func expectRefusedWhileLocked(_ answers: AnswerStack, shell: OperatorShell, lock: [String],
                                          isLocked: () throws -> Bool, cause: String, shellError: String) throws {
        let (stack, wecom) = (answers.stack, answers.wecom)
        let streamID = try wecom.send(WeComSimulator.text(msgID: "before-lock", content: "第一条"))
        lock.forEach(shell.send)
        try waitUntil("the operator holds the lock") { (try? isLocked()) == true }

        let message = WeComSimulator.text(msgID: "during-lock", content: "第二条")
        let started = ContinuousClock.now
        let refused = try wecom.post(message)
        let waited = started.duration(to: .now)
        #expect(refused.status == 503, "\(refused.status) \(refused.text) after \(waited)")
        #expect(refused.text == "service unavailable\n")
        try waitUntil("the 503's log line") {
            stack.logs.split(separator: "\n").contains { $0.contains("/wecom/callback/aibTEST 503") && $0.contains(cause) }
        }
        let feedback = WeComSimulator.feedback(msgID: "fb-during-lock", id: "fb-1", type: 1, content: "好")
        #expect(try wecom.post(feedback).status == 503)

        let frame = try wecom.postAndOpen(WeComSimulator.refresh(streamID: streamID))
        #expect(frame.stream["id"] as? String == streamID)
        let (verification, echo) = try wecom.verify()
        #expect(verification.status == 200)
        #expect(verification.text == echo)
        #expect(try isLocked(), "the operator held the lock throughout")

        shell.send("ROLLBACK;")
        try waitUntil("the operator released the lock") { (try? isLocked()) == false }
        let stored = try wecom.send(message)
        #expect(try wecom.send(message) == stored, "the redelivery gets the same stream")
        #expect(try wecom.post(feedback).status == 200)
        #expect(try stack.sql("SELECT count(*) FROM messages WHERE msgid = 'during-lock'") == "1")
        #expect(try stack.sql("SELECT count(*) FROM jobs j JOIN messages m ON m.stream_id = j.stream_id WHERE m.msgid = 'during-lock'") == "1")
        #expect(try stack.sql("SELECT count(*) FROM jobs") == "2")
        #expect(try stack.sql("SELECT count(*) FROM feedback") == "1")
        #expect(!shell.log.contains(shellError), "\(shell.log)")
    }

    /// Whether another connection could take the write lock right now: a probe `sqlite3` that
    /// does not wait (`.timeout 0`) begins and rolls back an IMMEDIATE transaction.
    func writeLockIsFree(_ stack: ResponderStack) throws -> Bool {
        guard let sqlite3 = which("sqlite3") else { throw FixtureError("sqlite3 is not installed") }
        do {
            try runCommand(sqlite3, ["-batch", "-cmd", ".timeout 0", stack.databasePath, "BEGIN IMMEDIATE; ROLLBACK;"])
            return true
        } catch let error as FixtureError where error.description.contains("database is locked") {
            return false
        }
    }
}
