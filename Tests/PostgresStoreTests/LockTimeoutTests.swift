import BotStore
import PostgresStore
import StoreTestSupport
import Testing

/// An operator's transaction holds a table lock (`psql`: `BEGIN; LOCK TABLE …`): a callback
/// that cannot be stored in time fails with the cause instead of waiting, refreshes go on, and
/// the redelivered message is accepted once the lock is gone.
@Suite struct LockTimeoutTests {
    @Test(arguments: ["messages", "streams", "jobs"])
    func anAcceptBehindALockedTableIsUnavailableWhileRefreshesGoOn(_ table: String) throws {
        try withTaggedSchema(failFastTimeout: 0.3) { schema throws in
            let responder = try schema.openStore(failFast: true)
            defer { responder.close() }
            _ = try responder.acceptMessage(.mock(msgID: "m0", streamID: "s0"), now: hostNow())
            let operatorSession = try TestPostgres.openSession(schema: schema.settings.schema)
            try operatorSession.execute("BEGIN; LOCK TABLE \(table) IN EXCLUSIVE MODE")

            #expect {
                _ = try responder.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow())
            } throws: { error in
                guard case let .unavailable(reason) = error as? StoreError else { return false }
                return reason.contains("locked")
            }
            #expect(try responder.stream(id: "s0")?.state == .pending)
            #expect(try responder.stream(id: "s1") == nil)

            operatorSession.close()
            #expect(try responder.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow()).isNew)
            #expect(try !responder.acceptMessage(.mock(msgID: "m1", streamID: "s2"), now: hostNow()).isNew)
            #expect(try responder.count("jobs", where: "TRUE") == 2)
        }
    }
}
