import BotStore
import StoreTestSupport
import Testing

/// Several connections (one per thread, as processes or hosts would have) accept the same msgids at once.
@Suite struct AcceptConcurrencyTests {
    struct Call: Sendable {
        let msgID: String
        let streamID: String
        let isNew: Bool
    }

    static let threads = 4
    static let rounds = 25

    /// Each thread, per round, accepts: "same" (every call of every thread), "round-r" (raced by
    /// all threads in the same round) and "t<thread>-r<round>" (its own).
    @Test(arguments: Backend.allCases) func sameMsgIDAcceptedConcurrentlyYieldsOneStreamAndOneJob(_ backend: Backend) throws {
        try withStore(backend) { store, database throws in
            let calls = Locked<[Call]>([])
            let errors = Locked<[String]>([])
            let ready = Barrier(count: Self.threads)
            runOnThreads(Self.threads) { thread in
                do {
                    let own = try database.openStore()
                    defer { own.close() }
                    ready.arriveAndWait()
                    for round in 0..<Self.rounds {
                        for msgID in ["same", "round-\(round)", "t\(thread)-r\(round)"] {
                            let message = NewMessage.mock(msgID: msgID, streamID: "s-\(thread)-\(round)-\(msgID)")
                            do {
                                let accepted = try own.acceptMessage(message, now: 1_700_000_000 + Int64(round))
                                let call = Call(msgID: msgID, streamID: accepted.stream.id, isNew: accepted.isNew)
                                calls.withLock { $0.append(call) }
                            } catch {
                                errors.withLock { $0.append("\(msgID): \(error)") }
                            }
                        }
                    }
                } catch {
                    errors.withLock { $0.append("open: \(error)") }
                    ready.arriveAndWait()
                }
            }

            let failures = errors.withLock { $0 }
            #expect(failures.isEmpty, "\(failures.count) errors, first: \(failures.prefix(3))")
            let byMsgID = Dictionary(grouping: calls.withLock { $0 }, by: \.msgID)
            let distinct = 1 + Self.rounds + Self.threads * Self.rounds
            #expect(byMsgID.count == distinct)
            #expect(byMsgID["same"]?.count == Self.threads * Self.rounds)
            for (msgID, calls) in byMsgID {
                #expect(Set(calls.map(\.streamID)).count == 1, "stream ids of \(msgID)")
                #expect(calls.filter(\.isNew).count == 1, "new calls of \(msgID)")
            }
            #expect(try store.scalarInt("SELECT count(*) FROM jobs") == Int64(distinct))
            #expect(try store.scalarInt("SELECT count(*) FROM streams") == Int64(distinct))
            #expect(try store.scalarInt("SELECT count(*) FROM messages WHERE stream_id IS NOT NULL") == Int64(distinct))
            #expect(try store.scalarInt("SELECT count(*) FROM jobs WHERE state = 'queued'") == Int64(distinct))
        }
    }
}
