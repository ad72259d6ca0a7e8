import BotStore
import SQLiteStore
import Testing

/// docs/systems.md §3.4: a statement that returned a row and was not reset keeps its read
/// snapshot, and its connection stops seeing other connections' commits.
@Suite struct SnapshotResetTests {
    @Test func readsOnOneConnectionSeeLaterCommitsOfAnother() throws {
        try withMigratedStore { a, path throws in
            let b = try SQLiteStore(path: path)
            defer { b.close() }
            _ = try a.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 1)
            try a.saveBot(BotRecord(botID: "bot-1", token: "t", encodingAESKey: "k"))

            // Each of these returns a row on A (bot(id:) stops stepping right after it).
            #expect(try a.stream(id: "s1") != nil)
            #expect(try a.bot(id: "bot-1") != nil)
            #expect(try a.agent(idOrName: "nobody") == nil)

            _ = try b.acceptMessage(.mock(msgID: "m2", streamID: "s2"), now: 2)
            try b.saveBot(BotRecord(botID: "bot-2", token: "t", encodingAESKey: "k"))
            try b.updateStream(id: "s1", content: "from B", now: 3)

            #expect(try a.stream(id: "s2") != nil)
            #expect(try a.bot(id: "bot-2") != nil)
            #expect(try a.stream(id: "s1")?.content == "from B")
            #expect(try a.scalarInt("SELECT count(*) FROM streams") == 2)
        }
    }
}
