import BotStore
import WeComModel

/// Messages the bot sends first (`outbound_messages`): queued by `wecomctl send`, claimed and
/// sent by the holder of the bot's connection.
extension SQLiteStore {
    static let outboundColumns = """
        id, botid, chat_type, chatid, content, state, holder, errcode, errmsg, created_at, updated_at, finished_at
        """

    /// The messages of the bots `?1` holds.
    private static let heldBots = "botid IN (SELECT botid FROM ws_connections WHERE holder = ?1)"

    public func queueOutbound(_ message: NewOutboundMessage, now: Int64) throws -> Int64 {
        let sql = """
            INSERT INTO outbound_messages(botid, chat_type, chatid, msgtype, content, state, created_at, updated_at)
            VALUES (?1, ?2, ?3, 'markdown', ?4, 'queued', ?5, ?5) RETURNING id
            """
        return try connection.withStatement(sql) { statement in
            try statement.bind(message.botID, message.target.chatType, message.target.chatID, message.markdown, now)
            var id: Int64 = 0
            while try statement.step() { id = statement.int64(0) }
            return id
        }
    }

    /// A read first, so that a holder looking every moment takes the write lock only when there
    /// is something to claim; then one `BEGIN IMMEDIATE` for the expired claims and the new ones.
    public func claimOutbound(holder: String, now: Int64, lease: Int64, limit: Int) throws -> [OutboundMessage] {
        let waiting = """
            SELECT 1 FROM outbound_messages WHERE \(Self.heldBots)
              AND (state = 'queued' OR (state = 'sending' AND claim_until < ?2)) LIMIT 1
            """
        let anything = try connection.withStatement(waiting) { row in
            try row.bind(holder, now)
            return try row.step()
        }
        guard anything else { return [] }
        let expire = """
            UPDATE outbound_messages SET state = 'failed', errcode = NULL, errmsg = ?3, claim_until = NULL,
              finished_at = ?2, updated_at = ?2
            WHERE \(Self.heldBots) AND state = 'sending' AND claim_until < ?2
            """
        let claim = """
            UPDATE outbound_messages SET state = 'sending', holder = ?1, claim_until = ?2 + ?3, updated_at = ?2
            WHERE id IN (SELECT id FROM outbound_messages WHERE \(Self.heldBots) AND state = 'queued' ORDER BY id LIMIT ?4)
            RETURNING \(Self.outboundColumns)
            """
        return try connection.transaction {
            try connection.withStatement(expire) { statement in
                try statement.bind(holder, now, OutboundMessage.unknownOutcome)
                try statement.run()
            }
            return try connection.withStatement(claim) { row in
                try row.bind(holder, now, lease, max(1, limit))
                var claimed: [OutboundMessage] = []
                while try row.step() { claimed.append(try Self.outboundMessage(row)) }
                return claimed.sorted { $0.id < $1.id }
            }
        }
    }

    public func recordOutboundOutcome(id: Int64, holder: String, outcome: OutboundOutcome, now: Int64) throws -> Bool {
        let sql = """
            UPDATE outbound_messages SET state = ?4, errcode = ?5, errmsg = ?6, claim_until = NULL, finished_at = ?3,
              updated_at = ?3
            WHERE id = ?1 AND holder = ?2 AND state = 'sending'
            """
        let (state, errcode, errmsg): (OutboundState, Int?, String?) = switch outcome {
        case .sent: (.sent, nil, nil)
        case let .failed(code, message): (.failed, code, message)
        }
        return try connection.withStatement(sql) { statement in
            try statement.bind(id, holder, now, state.rawValue, errcode, errmsg)
            try statement.run()
            return connection.changes > 0
        }
    }

    public func outboundMessage(id: Int64) throws -> OutboundMessage? {
        try connection.withStatement("SELECT \(Self.outboundColumns) FROM outbound_messages WHERE id = ?") { row in
            try row.bind(id)
            return try row.step() ? try Self.outboundMessage(row) : nil
        }
    }

    public func cancelOutbound(id: Int64, now: Int64) throws -> Bool {
        let sql = """
            UPDATE outbound_messages SET state = 'cancelled', finished_at = ?2, updated_at = ?2
            WHERE id = ?1 AND state = 'queued'
            """
        return try connection.withStatement(sql) { statement in
            try statement.bind(id, now)
            try statement.run()
            return connection.changes > 0
        }
    }

    /// Reads ``outboundColumns``.
    static func outboundMessage(_ row: SQLiteStatement) throws -> OutboundMessage {
        guard let target = ChatTarget(chatType: Int(row.int64(2)), chatID: row.text(3)) else {
            throw StoreError.backend("outbound message \(row.int64(0)) has unknown chat_type \(row.int64(2))")
        }
        return OutboundMessage(id: row.int64(0), botID: row.text(1), target: target, markdown: row.text(4),
                               state: try OutboundState(stored: row.text(5)), holder: row.optionalText(6),
                               errcode: row.optionalInt64(7).map { Int($0) }, errmsg: row.optionalText(8),
                               createdAt: row.int64(9), updatedAt: row.int64(10), finishedAt: row.optionalInt64(11))
    }
}
