import BotStore
import StoreTestSupport
import Testing

/// A connection that has read rows sees what other connections commit afterwards: no read
/// keeps a snapshot open (docs/systems.md §3.4 for SQLite, where a statement left unreset would).
@Suite struct CommitVisibilityTests {
    @Test(arguments: Backend.allCases) func readsOnOneConnectionSeeLaterCommitsOfAnother(_ backend: Backend) throws {
        try withStore(backend) { a, database throws in
            let b = try database.openStore()
            defer { b.close() }
            _ = try a.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 1)
            try a.saveBot(BotRecord(botID: "bot-1", token: "t", encodingAESKey: "k"))

            // Each of these returns a row on A (bot(id:) stops stepping right after it).
            #expect(try a.stream(id: "s1") != nil)
            #expect(try a.bot(id: "bot-1") != nil)
            #expect(try a.agent(idOrName: "nobody") == nil)

            _ = try b.acceptMessage(.mock(msgID: "m2", streamID: "s2"), now: 2)
            try b.saveBot(BotRecord(botID: "bot-2", token: "t", encodingAESKey: "k"))
            let job = try #require(try b.claimJob(owner: "w1", now: 3, lease: 30))
            #expect(try b.writeProgress(jobID: job.id, owner: "w1", content: "from B", leaseUntil: 33, now: 3))

            #expect(try a.stream(id: "s2") != nil)
            #expect(try a.bot(id: "bot-2") != nil)
            #expect(try a.stream(id: "s1")?.content == "from B")
            #expect(try a.scalarInt("SELECT count(*) FROM streams") == 2)
        }
    }
}
