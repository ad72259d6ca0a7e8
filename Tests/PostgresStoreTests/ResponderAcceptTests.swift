import BotStore
import PostgresStore
import StoreTestSupport
import Testing

/// A responder's connection accepts in one statement, a transaction of its own (its session
/// already limits every wait), and sends the job's NOTIFY after the commit.
@Suite struct ResponderAcceptTests {
    /// Four responder connections accept the same msgids at once, round by round.
    @Test func racedRedeliveriesOnResponderConnectionsGetOneStreamAndOneJob() throws {
        try withTaggedSchema { schema throws in
            let threads = 4, rounds = 20
            let streams = Locked<[String: Set<String>]>([:])
            let newCalls = Locked<[String: Int]>([:])
            let errors = Locked<[String]>([])
            let ready = Barrier(count: threads)
            runOnThreads(threads) { thread in
                do {
                    let responder = try schema.openStore(failFast: true)
                    defer { responder.close() }
                    ready.arriveAndWait()
                    for round in 0..<rounds {
                        let msgID = "m\(round)"
                        let accepted = try responder.acceptMessage(.mock(msgID: msgID, streamID: "s\(thread)-\(round)"),
                                                                   now: hostNow())
                        streams.withLock { _ = $0[msgID, default: []].insert(accepted.stream.id) }
                        if accepted.isNew { newCalls.withLock { $0[msgID, default: 0] += 1 } }
                    }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
            #expect(errors.withLock { $0 }.isEmpty)
            let store = try schema.openStore()
            defer { store.close() }
            for round in 0..<rounds {
                #expect(streams.withLock { $0["m\(round)"]?.count } == 1, "stream ids of m\(round)")
                #expect(newCalls.withLock { $0["m\(round)"] } == 1, "new calls of m\(round)")
            }
            #expect(try store.count("streams", where: "TRUE") == Int64(rounds))
            #expect(try store.count("jobs", where: "state = 'queued'") == Int64(rounds))
            #expect(try store.count("messages", where: "TRUE") == Int64(rounds))
        }
    }

    @Test func aNewMessageOnAResponderConnectionWakesAListeningWorker() throws {
        try withTaggedSchema { schema throws in
            let waiter = try schema.backend.makeJobWaiter()
            let responder = try schema.openStore(failFast: true)
            defer { responder.close() }
            #expect(try responder.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow()).isNew)
            #expect(waiter.wait(timeout: 10))
            #expect(try responder.count("jobs", where: "state = 'queued'") == 1)
        }
    }
}
