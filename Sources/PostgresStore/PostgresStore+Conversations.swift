import BotStore

/// Dify conversation ids, one per (bot, agent, chat, user), so follow-up messages continue the
/// same conversation. Each call is one statement.
extension PostgresStore {
    public func conversationID(for key: ConversationKey) throws -> String? {
        let sql = "SELECT conversation_id FROM conversations WHERE botid = $1 AND agent = $2 AND chat = $3 AND userid = $4"
        return try read {
            let rows = try connection.query(sql, key.botID, key.agent, key.chat, key.userID)
            return rows.rowCount > 0 ? rows.text(0, 0) : nil
        }
    }

    /// Inserts the key's conversation id, or replaces it and its `updated_at`.
    public func saveConversationID(_ id: String, for key: ConversationKey, now: Int64) throws {
        let sql = """
            INSERT INTO conversations(botid, agent, chat, userid, conversation_id, updated_at)
            VALUES ($1, $2, $3, $4, $5, \(clock.now("$6")))
            ON CONFLICT (botid, agent, chat, userid) DO UPDATE SET conversation_id = excluded.conversation_id,
              updated_at = excluded.updated_at
            """
        try write(repeatable: true) {
            _ = try connection.query(sql, key.botID, key.agent, key.chat, key.userID, id, now)
        }
    }

    /// Forgets the key's conversation (the next message starts a new one). No-op when absent.
    public func clearConversation(_ key: ConversationKey) throws {
        let sql = "DELETE FROM conversations WHERE botid = $1 AND agent = $2 AND chat = $3 AND userid = $4"
        try write(repeatable: true) {
            _ = try connection.query(sql, key.botID, key.agent, key.chat, key.userID)
        }
    }
}
