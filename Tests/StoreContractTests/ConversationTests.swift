import BotStore
import StoreTestSupport
import Testing

/// Dify conversation ids per (bot, agent, chat, user).
@Suite struct ConversationTests {
    let t0: Int64 = 1_700_000_000
    let direct = ConversationKey(botID: "bot-1", agent: "default", chat: "", userID: "u1")

    @Test(arguments: Backend.allCases) func saveOverwriteGetAndClear(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            #expect(try store.conversationID(for: direct) == nil)
            try store.saveConversationID("c1", for: direct, now: t0)
            #expect(try store.conversationID(for: direct) == "c1")
            try store.saveConversationID("c2", for: direct, now: t0 + 5)
            #expect(try store.conversationID(for: direct) == "c2")
            #expect(try store.count("conversations", where: "TRUE") == 1)
            #expect(try store.count("conversations", where: "conversation_id = 'c2' AND updated_at = \(t0 + 5)") == 1)

            try store.clearConversation(direct)
            #expect(try store.conversationID(for: direct) == nil)
            try store.clearConversation(direct)
            try store.saveConversationID("c3", for: direct, now: t0 + 9)
            #expect(try store.conversationID(for: direct) == "c3")
        }
    }

    @Test(arguments: Backend.allCases) func keysDifferingInAnyFieldAreIndependent(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let others = [
                ConversationKey(botID: "bot-2", agent: "default", chat: "", userID: "u1"),
                ConversationKey(botID: "bot-1", agent: "sales", chat: "", userID: "u1"),
                ConversationKey(botID: "bot-1", agent: "default", chat: "chat-9", userID: "u1"),
                ConversationKey(botID: "bot-1", agent: "default", chat: "", userID: "u2"),
            ]
            try store.saveConversationID("c-direct", for: direct, now: t0)
            for key in others { #expect(try store.conversationID(for: key) == nil, "\(key)") }
            for (index, key) in others.enumerated() { try store.saveConversationID("c\(index)", for: key, now: t0) }
            #expect(try others.map { try store.conversationID(for: $0) } == ["c0", "c1", "c2", "c3"])

            try store.clearConversation(others[2])
            #expect(try store.conversationID(for: others[2]) == nil)
            #expect(try store.conversationID(for: direct) == "c-direct")
            #expect(try store.conversationID(for: others[3]) == "c3")
        }
    }
}
