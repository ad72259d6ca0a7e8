import BotStore
import WeComModel

/// Messages the bot sends first (`outbound_messages`): queued by `wecomctl send`, claimed and
/// sent by the holder of the bot's connection. Claims and their ends follow the database's clock.
extension PostgresStore {
    /// The columns of ``OutboundMessage``, times on the caller's clock (`callerNow` the parameter
    /// holding the caller's now).
    private func outboundColumns(_ callerNow: String, table: String = "") -> String {
        let time = { (column: String) in self.clock.callerTime(table + column, callerNow: callerNow) }
        return """
            \(table)id, \(table)botid, \(table)chat_type, \(table)chatid, \(table)content, \(table)state, \(table)holder,
              \(table)errcode, \(table)errmsg, \(time("created_at")), \(time("updated_at")), \(time("finished_at"))
            """
    }

    /// The messages of the bots `$1` holds.
    private static let heldBots = "botid IN (SELECT botid FROM ws_connections WHERE holder = $1)"

    /// Not repeatable: after a lost connection the message may or may not be queued.
    public func queueOutbound(_ message: NewOutboundMessage, now: Int64) throws -> Int64 {
        let dbNow = clock.now("$5")
        let sql = """
            INSERT INTO outbound_messages(botid, chat_type, chatid, msgtype, content, state, created_at, updated_at)
            VALUES ($1, $2, $3, 'markdown', $4, 'queued', \(dbNow), \(dbNow)) RETURNING id
            """
        return try write {
            try connection.query(sql, message.botID, message.target.chatType, message.target.chatID, message.markdown,
                                 now).int64(0, 0)
        }
    }

    /// A read first, so that a holder looking every moment writes only when there is something
    /// to claim; then one statement for the expired claims and the new ones (`FOR UPDATE SKIP
    /// LOCKED`: an old and a new holder of the bot never take the same message).
    public func claimOutbound(holder: String, now: Int64, lease: Int64, limit: Int) throws -> [OutboundMessage] {
        let dbNow = clock.now("$2")
        let waiting = """
            SELECT 1 FROM outbound_messages WHERE \(Self.heldBots)
              AND (state = 'queued' OR (state = 'sending' AND claim_until < \(dbNow))) LIMIT 1
            """
        let claim = """
            WITH expired AS (
              UPDATE outbound_messages SET state = 'failed', errcode = NULL, errmsg = $5, claim_until = NULL,
                finished_at = \(dbNow), updated_at = \(dbNow)
              WHERE \(Self.heldBots) AND state = 'sending' AND claim_until < \(dbNow)),
            picked AS (
              SELECT id FROM outbound_messages WHERE \(Self.heldBots) AND state = 'queued' ORDER BY id LIMIT $4
              FOR UPDATE SKIP LOCKED)
            UPDATE outbound_messages o SET state = 'sending', holder = $1, claim_until = \(dbNow) + $3,
              updated_at = \(dbNow)
            FROM picked WHERE o.id = picked.id
            RETURNING \(outboundColumns("$2", table: "o."))
            """
        let anything = try read { try connection.query(waiting, holder, now).rowCount > 0 }
        guard anything else { return [] }
        return try write {
            let rows = try connection.query(claim, holder, now, lease, max(1, limit), OutboundMessage.unknownOutcome)
            return try (0..<rows.rowCount).map { try Self.outboundMessage(rows, $0) }.sorted { $0.id < $1.id }
        }
    }

    /// Not repeatable: a second run after a commit would find the message no longer `sending` and
    /// report the claim lost.
    public func recordOutboundOutcome(id: Int64, holder: String, outcome: OutboundOutcome, now: Int64) throws -> Bool {
        let dbNow = clock.now("$3")
        let sql = """
            UPDATE outbound_messages SET state = $4, errcode = $5, errmsg = $6, claim_until = NULL,
              finished_at = \(dbNow), updated_at = \(dbNow)
            WHERE id = $1 AND holder = $2 AND state = 'sending'
            """
        let (state, errcode, errmsg): (OutboundState, Int?, String?) = switch outcome {
        case .sent: (.sent, nil, nil)
        case let .failed(code, message): (.failed, code, message)
        }
        return try write {
            try connection.query(sql, id, holder, now, state.rawValue, errcode, errmsg).changedRows > 0
        }
    }

    public func outboundMessage(id: Int64) throws -> OutboundMessage? {
        let sql = "SELECT \(outboundColumns("$1")) FROM outbound_messages WHERE id = $2"
        return try read {
            let rows = try connection.query(sql, hostClock(), id)
            return rows.rowCount == 1 ? try Self.outboundMessage(rows, 0) : nil
        }
    }

    public func cancelOutbound(id: Int64, now: Int64) throws -> Bool {
        let dbNow = clock.now("$2")
        let sql = """
            UPDATE outbound_messages SET state = 'cancelled', finished_at = \(dbNow), updated_at = \(dbNow)
            WHERE id = $1 AND state = 'queued'
            """
        return try write {
            try connection.query(sql, id, now).changedRows > 0
        }
    }

    /// Reads the columns of ``outboundColumns(_:table:)``.
    static func outboundMessage(_ rows: PostgresResult, _ r: Int) throws -> OutboundMessage {
        guard let target = ChatTarget(chatType: Int(rows.int64(r, 2)), chatID: rows.text(r, 3)) else {
            throw StoreError.backend("outbound message \(rows.int64(r, 0)) has unknown chat_type \(rows.int64(r, 2))")
        }
        return OutboundMessage(id: rows.int64(r, 0), botID: rows.text(r, 1), target: target, markdown: rows.text(r, 4),
                               state: try OutboundState(stored: rows.text(r, 5)), holder: rows.optionalText(r, 6),
                               errcode: rows.optionalInt64(r, 7).map { Int($0) }, errmsg: rows.optionalText(r, 8),
                               createdAt: rows.int64(r, 9), updatedAt: rows.int64(r, 10),
                               finishedAt: rows.optionalInt64(r, 11))
    }
}
