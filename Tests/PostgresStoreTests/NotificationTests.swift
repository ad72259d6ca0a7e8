import BotStore
import PostgresStore
import StoreTestSupport
import Testing

/// Workers wait on LISTEN; an accept sends the NOTIFY right after its commit, a requeue with it.
@Suite struct NotificationTests {
    @Test func aCommittedAcceptAndARequeueWakeAListeningWorker() throws {
        try withTaggedSchema { schema throws in
            let waiter = try schema.backend.makeJobWaiter()
            #expect(!waiter.wait(timeout: 0))
            let store = try schema.openStore()
            defer { store.close() }
            #expect(try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow()).isNew)
            #expect(waiter.wait(timeout: 10))
            #expect(!waiter.wait(timeout: 0), "the wait consumed the notification")

            let job = try #require(try store.claimJob(owner: "w1", now: hostNow(), lease: 30))
            #expect(try store.finishJob(jobID: job.id, owner: "w1", outcome: JobOutcome(kind: .dead, content: "x"), now: hostNow()))
            #expect(try store.requeueJob(id: job.id, now: hostNow()) == .requeued(from: .dead, streamID: "s1"))
            #expect(waiter.wait(timeout: 10))
            // The signal a responder thread holds does nothing itself: the store sent the NOTIFY.
            let signal = schema.backend.makeJobSignal()
            signal.notifyWorkers()
            #expect(!waiter.wait(timeout: 0.2), "the requeue's NOTIFY was consumed; the signal sent none")
            #expect(signal.description.contains(schema.settings.schema))
        }
    }

    /// The listening connection is terminated (as a server restart would): the next waits connect
    /// again, report a signal (notifications sent meanwhile are lost), and listen again.
    @Test func theWaiterListensAgainAfterItsConnectionIsLost() throws {
        try withTaggedSchema { schema throws in
            let waiter = try schema.backend.makeJobWaiter()
            #expect(try schema.sessions() == 1)
            #expect(try schema.terminateSessions() == 1)
            let store = try schema.openStore()
            defer { store.close() }
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow())
            // The waiter reconnects only inside a wait; each wait returns at once meanwhile.
            #expect(waiter.wait(timeout: 10), "a lost listener reports a signal")
            #expect(try eventually { _ = waiter.wait(timeout: 0.1); return try schema.sessions(where: "state = 'idle'") == 2 })
            while waiter.wait(timeout: 0) {}
            _ = try store.acceptMessage(.mock(msgID: "m2", streamID: "s2"), now: hostNow())
            #expect(waiter.wait(timeout: 10))
        }
    }
}
