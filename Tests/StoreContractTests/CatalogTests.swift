import BotStore
import PostgresStore
import SQLiteStore
import StoreTestSupport
import Testing

@Suite struct CatalogTests {
    @Test(arguments: Backend.allCases) func botsRoundTripAndKeepTheirCreationTime(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let bot = BotRecord(botID: "bot-1", token: "tok", encodingAESKey: String(repeating: "k", count: 43),
                                agent: "support", botName: "Helper", createdAt: 100)
            try store.saveBot(bot)
            try store.saveBot(BotRecord(botID: "bot-0", token: "t0", encodingAESKey: "k0", createdAt: 50))
            #expect(try store.bot(id: "bot-1") == bot)
            #expect(try store.bot(id: "missing") == nil)

            var changed = bot
            changed.token = "tok2"
            changed.agent = nil
            changed.createdAt = 999
            try store.saveBot(changed)
            changed.createdAt = 100
            #expect(try store.bot(id: "bot-1") == changed)
            #expect(try store.bots().map(\.botID) == ["bot-0", "bot-1"])
            #expect(try store.bots().first?.receiveID == "")

            #expect(try store.removeBot(id: "bot-1"))
            #expect(try !store.removeBot(id: "bot-1"))
            #expect(try store.bots().map(\.botID) == ["bot-0"])
        }
    }

    @Test(arguments: Backend.allCases) func agentsRoundTripAndAreFoundByIdOrName(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let first = AgentRecord(id: "1", name: "support", difyBaseURL: "http://dify.local/v1", difyAPIKey: "app-1",
                                    welcomeText: "Hi!", botName: "Support", createdAt: 100)
            // An agent *named* like the first one's id: lookups by "1" still find the first.
            let second = AgentRecord(id: "2", name: "1", difyBaseURL: "http://dify.local/v1", difyAPIKey: "app-2")
            try store.saveAgent(first)
            try store.saveAgent(second)

            #expect(try store.agent(idOrName: "1") == first)
            #expect(try store.agent(idOrName: "support") == first)
            #expect(try store.agent(idOrName: "2") == second)
            #expect(try store.agent(idOrName: "nobody") == nil)
            #expect(try store.agents() == [first, second])

            var renamed = first
            renamed.name = "helpdesk"
            renamed.welcomeText = nil
            renamed.createdAt = 5
            try store.saveAgent(renamed)
            renamed.createdAt = 100
            #expect(try store.agent(idOrName: "helpdesk") == renamed)
            #expect(try store.agent(idOrName: "support") == nil)

            #expect(try store.removeAgent(idOrName: "helpdesk"))
            #expect(try !store.removeAgent(idOrName: "helpdesk"))
            #expect(try store.removeAgent(idOrName: "1"))  // now the name of agent 2
            #expect(try store.agents() == [])
        }
    }

    @Test(arguments: Backend.allCases) func anAgentNameIsUnique(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.saveAgent(AgentRecord(id: "1", name: "support", difyBaseURL: "u", difyAPIKey: "k"))
            #expect {
                try store.saveAgent(AgentRecord(id: "2", name: "support", difyBaseURL: "u", difyAPIKey: "k"))
            } throws: { SQLiteError.constraint ~= $0 || PostgresError.uniqueViolation ~= $0 }
            #expect(try store.agents().map(\.id) == ["1"])
        }
    }
}
