import BotStore

extension PostgresStore {
    /// Stores a feedback or template-card event once per (aibotid, msgid): one INSERT that does
    /// nothing on a redelivery, true when it inserted the row.
    @discardableResult
    public func recordEvent(_ event: StoredEvent, now: Int64) throws -> Bool {
        let sql = """
            INSERT INTO feedback(kind, botid, aibotid, msgid, userid, reference, rating, detail, payload, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \(clock.now("$10")))
            ON CONFLICT (aibotid, msgid) DO NOTHING
            """
        return try write {
            try connection.query(sql, event.kind.rawValue, event.botID, event.aibotID, event.msgID, event.userID,
                                 event.reference, event.rating, event.detail, event.payload, now).changedRows > 0
        }
    }
}
