import BotStore

/// Long-connection leases: which `wecom-ws` process holds each bot's one connection. Each write
/// is one autocommit statement guarded by the holder, except the acquisition, which reads first
/// and then takes the lease in one statement whose WHERE decides (a standby that finds the bot
/// held takes no write lock).
extension SQLiteStore {
    public func acquireConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> ConnectionLease {
        // A second look only when another process changed the row between the read and the write.
        for _ in 0..<3 {
            if let refusal = try connectionRefusal(botID: botID, holder: holder, now: now) { return refusal }
            if try takeConnection(botID: botID, holder: holder, now: now, lease: lease) { return .acquired(until: now + lease) }
        }
        throw StoreError.unavailable("the lease of bot \(botID) keeps changing hands")
    }

    /// The lease for `holder` unless the row says otherwise by now; true when taken.
    private func takeConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> Bool {
        // A holder other than the caller is dead (its lease expired): its connection is not ours.
        let sql = """
            INSERT INTO ws_connections(botid, holder, lease_until, connected, since, updated_at)
            VALUES (?1, ?2, ?3 + ?4, 0, NULL, ?3)
            ON CONFLICT(botid) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
              connected = CASE WHEN holder IS excluded.holder THEN connected ELSE 0 END,
              since = CASE WHEN holder IS NOT excluded.holder AND connected = 1 THEN ?3 ELSE since END,
              updated_at = ?3
            WHERE taken_over_at IS NULL AND (holder IS NULL OR holder = excluded.holder OR lease_until < ?3)
            """
        return try connection.withStatement(sql) { statement in
            try statement.bind(botID, holder, now, lease)
            try statement.run()
            return connection.changes > 0
        }
    }

    /// Why `holder` cannot have the bot now, or nil when it may try.
    private func connectionRefusal(botID: String, holder: String, now: Int64) throws -> ConnectionLease? {
        let sql = "SELECT holder, lease_until, taken_over_at FROM ws_connections WHERE botid = ?"
        return try connection.withStatement(sql) { row in
            try row.bind(botID)
            guard try row.step() else { return nil }
            if let takenOver = row.optionalInt64(2) { return .takenOver(at: takenOver) }
            guard let current = row.optionalText(0), current != holder, let until = row.optionalInt64(1), until >= now else {
                return nil
            }
            return .held(by: current, until: until)
        }
    }

    public func renewConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> Bool {
        try updateHeldConnection("lease_until = ?3 + ?4", botID: botID, holder: holder, now: now, [lease])
    }

    public func recordConnected(botID: String, holder: String, now: Int64) throws -> Bool {
        try updateHeldConnection("since = CASE WHEN connected = 1 THEN since ELSE ?3 END, connected = 1",
                                 botID: botID, holder: holder, now: now)
    }

    public func recordDisconnected(botID: String, holder: String, error: String?, now: Int64) throws -> Bool {
        try updateHeldConnection("""
            since = CASE WHEN connected = 0 AND since IS NOT NULL THEN since ELSE ?3 END, connected = 0,
              last_error = coalesce(?4, last_error), last_error_at = CASE WHEN ?4 IS NULL THEN last_error_at ELSE ?3 END
            """, botID: botID, holder: holder, now: now, [error])
    }

    public func markTakenOver(botID: String, holder: String, now: Int64) throws -> Bool {
        try updateHeldConnection("""
            taken_over_at = ?3, holder = NULL, lease_until = NULL,
              since = CASE WHEN connected = 1 THEN ?3 ELSE since END, connected = 0
            """, botID: botID, holder: holder, now: now)
    }

    public func releaseConnection(botID: String, holder: String, now: Int64) throws -> Bool {
        try updateHeldConnection("""
            holder = NULL, lease_until = NULL, since = CASE WHEN connected = 1 THEN ?3 ELSE since END, connected = 0
            """, botID: botID, holder: holder, now: now)
    }

    /// One UPDATE of the bot's row, `set` (`?3` is now, `?4`… the `extra` values), while `holder`
    /// (`?2`) holds it.
    private func updateHeldConnection(_ set: String, botID: String, holder: String, now: Int64,
                                      _ extra: [any SQLiteBindable] = []) throws -> Bool {
        let sql = "UPDATE ws_connections SET \(set), updated_at = ?3 WHERE botid = ?1 AND holder = ?2"
        return try connection.withStatement(sql) { statement in
            try statement.bind(botID, holder, now)
            for (offset, value) in extra.enumerated() { try value.bind(to: statement, at: Int32(4 + offset)) }
            try statement.run()
            return connection.changes > 0
        }
    }

    public func clearTakenOver(botID: String, now: Int64) throws -> Bool {
        let sql = "UPDATE ws_connections SET taken_over_at = NULL, updated_at = ?2 WHERE botid = ?1 AND taken_over_at IS NOT NULL"
        return try connection.withStatement(sql) { statement in
            try statement.bind(botID, now)
            try statement.run()
            return connection.changes > 0
        }
    }

    /// One statement: the bots with a secret, the lease rows and the bots with queued messages,
    /// with the queued messages of each.
    public func connectionStatuses(now: Int64) throws -> [ConnectionStatus] {
        let sql = """
            SELECT b.botid, c.holder, c.lease_until, coalesce(c.lease_until < ?1, 0), coalesce(c.connected, 0), c.since,
              c.last_error, c.last_error_at, c.taken_over_at,
              (SELECT count(*) FROM outbound_messages o WHERE o.botid = b.botid AND o.state = 'queued')
            FROM (SELECT botid FROM bots WHERE ws_secret IS NOT NULL UNION SELECT botid FROM ws_connections
                  UNION SELECT botid FROM outbound_messages WHERE state = 'queued') b
            LEFT JOIN ws_connections c ON c.botid = b.botid
            ORDER BY b.botid
            """
        return try connection.withStatement(sql) { row in
            try row.bind(now)
            var statuses: [ConnectionStatus] = []
            while try row.step() {
                statuses.append(ConnectionStatus(
                    botID: row.text(0), holder: row.optionalText(1), leaseUntil: row.optionalInt64(2),
                    leaseExpired: row.int64(3) != 0, connected: row.int64(4) != 0, since: row.optionalInt64(5),
                    lastError: row.optionalText(6), lastErrorAt: row.optionalInt64(7), takenOverAt: row.optionalInt64(8),
                    queuedOutbound: Int(row.int64(9))))
            }
            return statuses
        }
    }
}
