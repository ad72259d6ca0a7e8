import BotStore

extension SQLiteStore {
    /// Stores a feedback or template-card event once per (aibotid, msgid): one autocommit
    /// `INSERT OR IGNORE`, true when it inserted the row. Gives up after ``callbackWait``
    /// (`StoreError.unavailable`, see ``callbackWrite(_:)``).
    @discardableResult
    public func recordEvent(_ event: StoredEvent, now: Int64) throws -> Bool {
        let sql = """
            INSERT OR IGNORE INTO feedback(kind, botid, aibotid, msgid, userid, reference, rating, detail,
              payload, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        return try callbackWrite { _ in
            try connection.withStatement(sql) { statement in
                try statement.bind(event.kind.rawValue, event.botID, event.aibotID, event.msgID, event.userID,
                                   event.reference, event.rating, event.detail, event.payload, now)
                try statement.run()
                return connection.changes > 0
            }
        }
    }
}
