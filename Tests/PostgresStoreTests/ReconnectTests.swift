import BotStore
import Foundation
import PostgresStore
import StoreTestSupport
import Testing

/// The database goes away and comes back: connections notice, reconnect, and say so when a
/// call cannot be made or might have been half made.
@Suite struct ReconnectTests {
    /// The server ended the connection while it was idle (a restart does that to every session):
    /// the next calls, reads and writes, connect again before sending anything.
    @Test func aStoreReconnectsAfterTheServerEndedItsSession() throws {
        try withTaggedSchema { schema throws in
            let store = try schema.openStore()
            defer { store.close() }
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow())
            #expect(try schema.terminateSessions() == 1)
            #expect(try eventually { try schema.sessions() == 0 })

            #expect(try store.stream(id: "s1")?.state == .pending)
            #expect(try store.acceptMessage(.mock(msgID: "m2", streamID: "s2"), now: hostNow()).isNew)
            #expect(try schema.terminateSessions() == 1)
            #expect(try eventually { try schema.sessions() == 0 })
            let job = try #require(try store.claimJob(owner: "w1", now: hostNow(), lease: 30))
            #expect(job.streamID == "s1")
        }
    }

    /// A write whose connection is lost while it waits (here for a lock an operator holds) may or
    /// may not have committed, so it is not repeated: the caller learns the database is
    /// unavailable. WeCom's redelivery of the message is then accepted once.
    @Test func aWriteThatLosesItsConnectionIsReportedUnavailableAndTheRedeliveryIsAcceptedOnce() throws {
        try withTaggedSchema(failFastTimeout: 60) { schema throws in
            let store = try schema.openStore(failFast: true)
            defer { store.close() }
            let operatorSession = try TestPostgres.openSession(schema: schema.settings.schema)
            try operatorSession.execute("BEGIN; LOCK TABLE messages IN EXCLUSIVE MODE")
            let outcome = Locked<Result<AcceptedMessage, any Error>?>(nil)
            // The store is used by this thread alone until `outcome` is set.
            nonisolated(unsafe) let accepter = store
            let accepting = Thread {
                let result = Result { try accepter.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow()) }
                outcome.withLock { $0 = result }
            }
            accepting.start()
            #expect(try eventually { try schema.sessions(where: "wait_event_type = 'Lock'") == 1 })
            #expect(try schema.terminateSessions() == 1)
            #expect(eventually { outcome.withLock { $0 != nil } })
            let error = outcome.withLock { result -> (any Error)? in
                if case let .failure(error) = result { return error }
                return nil
            }
            guard case let .unavailable(reason) = error as? StoreError else {
                Issue.record("expected StoreError.unavailable, got \(String(describing: error))")
                return
            }
            // The server's goodbye (57P01) or, when it is not read before the socket closes, the lost connection.
            #expect(reason.hasPrefix("database restarting or shutting down: ") || reason.hasPrefix("database connection failed: "),
                    "\(reason)")
            operatorSession.close()

            #expect(try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow()).isNew)
            #expect(try !store.acceptMessage(.mock(msgID: "m1", streamID: "s9"), now: hostNow()).isNew)
            #expect(try store.count("jobs", where: "TRUE") == 1)
        }
    }

    @Test func anUnreachableDatabaseIsReportedUnavailable() throws {
        // Port 1 on the loopback: nothing listens, the connection is refused at once.
        let settings = try PostgresSettings(connectionString: "host=127.0.0.1 port=1 user=nobody dbname=none",
                                            schema: "wecom_bot")
        #expect {
            _ = try PostgresStore(settings: settings)
        } throws: { error in
            guard case let .unavailable(reason) = error as? StoreError else { return false }
            return reason.hasPrefix("database connection failed: ") && reason.contains("127.0.0.1")
        }
        #expect(throws: StoreError.self) { try PostgresBackend(settings: settings).prepare() }
    }
}
