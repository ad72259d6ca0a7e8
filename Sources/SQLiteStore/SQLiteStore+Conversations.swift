import BotStore

/// Dify conversation ids, one per (bot, agent, chat, user), so follow-up messages continue
/// the same conversation. Each call is one autocommit statement.
extension SQLiteStore {
    public func conversationID(for key: ConversationKey) throws -> String? {
        let sql = "SELECT conversation_id FROM conversations WHERE botid = ? AND agent = ? AND chat = ? AND userid = ?"
        return try connection.withStatement(sql) { statement in
            try statement.bind(key.botID, key.agent, key.chat, key.userID)
            return try statement.step() ? statement.text(0) : nil
        }
    }

    /// Inserts the key's conversation id, or replaces it and its `updated_at`.
    public func saveConversationID(_ id: String, for key: ConversationKey, now: Int64) throws {
        let sql = """
            INSERT INTO conversations(botid, agent, chat, userid, conversation_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(botid, agent, chat, userid) DO UPDATE SET conversation_id = excluded.conversation_id,
              updated_at = excluded.updated_at
            """
        try connection.withStatement(sql) { statement in
            try statement.bind(key.botID, key.agent, key.chat, key.userID, id, now)
            try statement.run()
        }
    }

    /// Forgets the key's conversation (the next message starts a new one). No-op when absent.
    public func clearConversation(_ key: ConversationKey) throws {
        let sql = "DELETE FROM conversations WHERE botid = ? AND agent = ? AND chat = ? AND userid = ?"
        try connection.withStatement(sql) { statement in
            try statement.bind(key.botID, key.agent, key.chat, key.userID)
            try statement.run()
        }
    }
}
