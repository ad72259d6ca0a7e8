import BotStore
import StoreTestSupport
import Testing

/// The response_url accepts one post per stream: exactly one caller, in any process, wins it.
@Suite struct ResponseDeliveryTests {
    let t0: Int64 = 1_700_000_000

    @Test(arguments: Backend.allCases) func deliveryIsClaimedOnceAcrossConnections(_ backend: Backend) throws {
        try withStore(backend) { store, database throws in
            let other = try database.openStore()
            defer { other.close() }
            try store.enqueue(1, at: t0)
            try store.enqueue(2, at: t0)
            #expect(try store.count("streams", where: "response_posted_at IS NULL") == 2)

            #expect(try store.claimResponseDelivery(streamID: "s1", now: t0 + 1))
            #expect(try !store.claimResponseDelivery(streamID: "s1", now: t0 + 2))
            #expect(try !other.claimResponseDelivery(streamID: "s1", now: t0 + 3))
            #expect(try store.count("streams", where: "id = 's1' AND response_posted_at = \(t0 + 1)") == 1)

            #expect(try other.claimResponseDelivery(streamID: "s2", now: t0 + 4))
            #expect(try !store.claimResponseDelivery(streamID: "s2", now: t0 + 5))
            #expect(try !store.claimResponseDelivery(streamID: "nope", now: t0))
        }
    }
}
