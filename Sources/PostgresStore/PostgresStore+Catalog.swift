import BotStore

/// Bots and agents: small tables that operators edit with `wecomctl`. Their `created_at` is
/// the caller's, stored as given: it is a record of when the operator added the row, not a time
/// the queue compares.
extension PostgresStore {
    static let botColumns = "botid, token, encoding_aes_key, receive_id, agent, bot_name, ws_secret, created_at"
    private static let agentColumns = "id, name, dify_base_url, dify_api_key, welcome_text, bot_name, created_at"

    // MARK: bots

    public func bot(id: String) throws -> BotRecord? {
        try read {
            let rows = try connection.query("SELECT \(Self.botColumns) FROM bots WHERE botid = $1", id)
            return rows.rowCount > 0 ? Self.botRecord(rows, 0) : nil
        }
    }

    public func bots() throws -> [BotRecord] {
        try read {
            let rows = try connection.query("SELECT \(Self.botColumns) FROM bots ORDER BY botid")
            return (0..<rows.rowCount).map { Self.botRecord(rows, $0) }
        }
    }

    /// Inserts the bot, or updates every field but `created_at` of an existing one.
    public func saveBot(_ bot: BotRecord) throws {
        let sql = """
            INSERT INTO bots(\(Self.botColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (botid) DO UPDATE SET token = excluded.token,
              encoding_aes_key = excluded.encoding_aes_key, receive_id = excluded.receive_id,
              agent = excluded.agent, bot_name = excluded.bot_name, ws_secret = excluded.ws_secret
            """
        try write(repeatable: true) {
            _ = try connection.query(sql, Self.botParameters(bot))
        }
    }

    @discardableResult
    /// One statement: the bot, and its long-connection row when the bot was there.
    public func removeBot(id: String) throws -> Bool {
        let sql = """
            WITH b AS (DELETE FROM bots WHERE botid = $1 RETURNING botid),
            c AS (DELETE FROM ws_connections WHERE botid IN (SELECT botid FROM b))
            SELECT count(*) FROM b
            """
        return try write {
            try connection.query(sql, id).int64(0, 0) > 0
        }
    }

    /// Reads ``botColumns``.
    static func botRecord(_ rows: PostgresResult, _ row: Int) -> BotRecord {
        BotRecord(botID: rows.text(row, 0), token: rows.text(row, 1), encodingAESKey: rows.text(row, 2),
                  receiveID: rows.text(row, 3), agent: rows.optionalText(row, 4), botName: rows.optionalText(row, 5),
                  wsSecret: rows.optionalText(row, 6), createdAt: rows.int64(row, 7))
    }

    /// The values of ``botColumns``, in order.
    static func botParameters(_ bot: BotRecord) -> [PostgresParameter] {
        [bot.botID.parameter, bot.token.parameter, bot.encodingAESKey.parameter, bot.receiveID.parameter,
         bot.agent.parameter, bot.botName.parameter, bot.wsSecret.parameter, bot.createdAt.parameter]
    }

    // MARK: agents

    /// An id match wins over a name match (another agent may be *named* like this one's id).
    public func agent(idOrName: String) throws -> AgentRecord? {
        let sql = "SELECT \(Self.agentColumns) FROM agents WHERE id = $1 OR name = $1 ORDER BY id = $1 DESC LIMIT 1"
        return try read {
            let rows = try connection.query(sql, idOrName)
            return rows.rowCount > 0 ? Self.agentRecord(rows, 0) : nil
        }
    }

    public func agents() throws -> [AgentRecord] {
        try read {
            let rows = try connection.query("SELECT \(Self.agentColumns) FROM agents ORDER BY id")
            return (0..<rows.rowCount).map { Self.agentRecord(rows, $0) }
        }
    }

    /// Inserts the agent, or updates every field but `created_at` of the agent with this id.
    /// A name already used by another agent throws ``PostgresError`` (`uniqueViolation`).
    public func saveAgent(_ agent: AgentRecord) throws {
        let sql = """
            INSERT INTO agents(\(Self.agentColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, dify_base_url = excluded.dify_base_url,
              dify_api_key = excluded.dify_api_key, welcome_text = excluded.welcome_text,
              bot_name = excluded.bot_name
            """
        try write(repeatable: true) {
            _ = try connection.query(sql, agent.id, agent.name, agent.difyBaseURL, agent.difyAPIKey, agent.welcomeText,
                                     agent.botName, agent.createdAt)
        }
    }

    /// Removes the agent found as ``agent(idOrName:)`` would find it.
    @discardableResult
    public func removeAgent(idOrName: String) throws -> Bool {
        let sql = """
            DELETE FROM agents WHERE id = (SELECT id FROM agents WHERE id = $1 OR name = $1
              ORDER BY id = $1 DESC LIMIT 1)
            """
        return try write {
            try connection.query(sql, idOrName).changedRows > 0
        }
    }

    private static func agentRecord(_ rows: PostgresResult, _ row: Int) -> AgentRecord {
        AgentRecord(id: rows.text(row, 0), name: rows.text(row, 1), difyBaseURL: rows.text(row, 2),
                    difyAPIKey: rows.text(row, 3), welcomeText: rows.optionalText(row, 4),
                    botName: rows.optionalText(row, 5), createdAt: rows.int64(row, 6))
    }
}
