import BotStore

/// Bots and agents: small tables that operators edit with `wecomctl`.
extension SQLiteStore {
    static let botColumns = "botid, token, encoding_aes_key, receive_id, agent, bot_name, ws_secret, created_at"
    private static let agentColumns = "id, name, dify_base_url, dify_api_key, welcome_text, bot_name, created_at"

    // MARK: bots

    public func bot(id: String) throws -> BotRecord? {
        try connection.withStatement("SELECT \(Self.botColumns) FROM bots WHERE botid = ?") { statement in
            try statement.bind(id)
            return try statement.step() ? Self.botRecord(statement) : nil
        }
    }

    public func bots() throws -> [BotRecord] {
        try connection.withStatement("SELECT \(Self.botColumns) FROM bots ORDER BY botid") { statement in
            var records: [BotRecord] = []
            while try statement.step() { records.append(Self.botRecord(statement)) }
            return records
        }
    }

    /// Inserts the bot, or updates every field but `created_at` of an existing one.
    public func saveBot(_ bot: BotRecord) throws {
        let sql = """
            INSERT INTO bots(\(Self.botColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(botid) DO UPDATE SET token = excluded.token,
              encoding_aes_key = excluded.encoding_aes_key, receive_id = excluded.receive_id,
              agent = excluded.agent, bot_name = excluded.bot_name, ws_secret = excluded.ws_secret
            """
        try connection.withStatement(sql) { statement in
            try statement.bind(bot.botID, bot.token, bot.encodingAESKey, bot.receiveID, bot.agent, bot.botName,
                               bot.wsSecret, bot.createdAt)
            try statement.run()
        }
    }

    @discardableResult
    public func removeBot(id: String) throws -> Bool {
        try connection.transaction {
            let removed = try connection.withStatement("DELETE FROM bots WHERE botid = ?") { statement in
                try statement.bind(id)
                try statement.run()
                return connection.changes > 0
            }
            if removed {
                try connection.withStatement("DELETE FROM ws_connections WHERE botid = ?") { try $0.bind(id); try $0.run() }
            }
            return removed
        }
    }

    /// Reads ``botColumns``.
    static func botRecord(_ row: SQLiteStatement) -> BotRecord {
        BotRecord(botID: row.text(0), token: row.text(1), encodingAESKey: row.text(2), receiveID: row.text(3),
                  agent: row.optionalText(4), botName: row.optionalText(5), wsSecret: row.optionalText(6),
                  createdAt: row.int64(7))
    }

    // MARK: agents

    /// An id match wins over a name match (another agent may be *named* like this one's id).
    public func agent(idOrName: String) throws -> AgentRecord? {
        let sql = "SELECT \(Self.agentColumns) FROM agents WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1"
        return try connection.withStatement(sql) { statement in
            try statement.bind(idOrName)
            return try statement.step() ? Self.agentRecord(statement) : nil
        }
    }

    public func agents() throws -> [AgentRecord] {
        try connection.withStatement("SELECT \(Self.agentColumns) FROM agents ORDER BY id") { statement in
            var records: [AgentRecord] = []
            while try statement.step() { records.append(Self.agentRecord(statement)) }
            return records
        }
    }

    /// Inserts the agent, or updates every field but `created_at` of the agent with this id.
    /// A name already used by another agent throws `SQLiteError.constraint`.
    public func saveAgent(_ agent: AgentRecord) throws {
        let sql = """
            INSERT INTO agents(\(Self.agentColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, dify_base_url = excluded.dify_base_url,
              dify_api_key = excluded.dify_api_key, welcome_text = excluded.welcome_text,
              bot_name = excluded.bot_name
            """
        try connection.withStatement(sql) { statement in
            try statement.bind(agent.id, agent.name, agent.difyBaseURL, agent.difyAPIKey, agent.welcomeText,
                               agent.botName, agent.createdAt)
            try statement.run()
        }
    }

    /// Removes the agent found as ``agent(idOrName:)`` would find it.
    @discardableResult
    public func removeAgent(idOrName: String) throws -> Bool {
        let sql = """
            DELETE FROM agents WHERE id = (SELECT id FROM agents WHERE id = ?1 OR name = ?1
              ORDER BY id = ?1 DESC LIMIT 1)
            """
        return try connection.withStatement(sql) { statement in
            try statement.bind(idOrName)
            try statement.run()
            return connection.changes > 0
        }
    }

    private static func agentRecord(_ row: SQLiteStatement) -> AgentRecord {
        AgentRecord(id: row.text(0), name: row.text(1), difyBaseURL: row.text(2), difyAPIKey: row.text(3),
                    welcomeText: row.optionalText(4), botName: row.optionalText(5), createdAt: row.int64(6))
    }
}
