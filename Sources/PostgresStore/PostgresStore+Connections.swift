import BotStore

/// Long-connection leases: which `wecom-ws` process holds each bot's one connection, judged by
/// the database's clock (``DatabaseClock``), so that a host whose clock is off neither takes a
/// live lease nor keeps a dead one. Each write is one statement guarded by the holder; the
/// acquisition reads first, then takes the lease in one upsert whose WHERE decides (under READ
/// COMMITTED a second upsert that waited for the first one's row lock checks the WHERE again on
/// the row the first one left).
extension PostgresStore {
    public func acquireConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> ConnectionLease {
        // A second look only when another process changed the row between the read and the write.
        for _ in 0..<3 {
            if let refusal = try connectionRefusal(botID: botID, holder: holder, now: now) { return refusal }
            if let until = try takeConnection(botID: botID, holder: holder, now: now, lease: lease) {
                return .acquired(until: until)
            }
        }
        throw StoreError.unavailable("the lease of bot \(botID) keeps changing hands")
    }

    /// Why `holder` cannot have the bot now, or nil when it may try.
    private func connectionRefusal(botID: String, holder: String, now: Int64) throws -> ConnectionLease? {
        let sql = """
            SELECT holder, \(clock.callerTime("lease_until", callerNow: "$2")), \(clock.callerTime("taken_over_at", callerNow: "$2")),
              CASE WHEN lease_until >= \(clock.now("$2")) THEN 1 ELSE 0 END
            FROM ws_connections WHERE botid = $1
            """
        return try read {
            let rows = try connection.query(sql, botID, now)
            guard rows.rowCount == 1 else { return nil }
            if let takenOver = rows.optionalInt64(0, 2) { return .takenOver(at: takenOver) }
            guard let current = rows.optionalText(0, 0), current != holder, rows.int64(0, 3) == 1 else { return nil }
            return .held(by: current, until: rows.int64(0, 1))
        }
    }

    /// The lease for `holder` unless the row says otherwise by now; its end on the caller's clock
    /// when taken. Repeatable: taking the lease again for the same holder changes nothing more.
    private func takeConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> Int64? {
        let dbNow = clock.now("$3")
        // A holder other than the caller is dead (its lease expired): its connection is not ours.
        let sql = """
            INSERT INTO ws_connections AS c (botid, holder, lease_until, connected, since, updated_at)
            VALUES ($1, $2, \(dbNow) + $4, 0, NULL, \(dbNow))
            ON CONFLICT (botid) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
              connected = CASE WHEN c.holder IS NOT DISTINCT FROM excluded.holder THEN c.connected ELSE 0 END,
              since = CASE WHEN c.holder IS DISTINCT FROM excluded.holder AND c.connected = 1 THEN \(dbNow) ELSE c.since END,
              updated_at = \(dbNow)
            WHERE c.taken_over_at IS NULL AND (c.holder IS NULL OR c.holder = excluded.holder OR c.lease_until < \(dbNow))
            RETURNING \(clock.callerTime("c.lease_until", callerNow: "$3"))
            """
        return try write(repeatable: true) {
            let rows = try connection.query(sql, botID, holder, now, lease)
            return rows.rowCount == 1 ? rows.int64(0, 0) : nil
        }
    }

    /// Repeatable: it sets the same end again.
    public func renewConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> Bool {
        try updateHeldConnection("lease_until = \(clock.now("$3")) + $4", botID: botID, holder: holder, now: now,
                                 repeatable: true, [lease.parameter])
    }

    public func recordConnected(botID: String, holder: String, now: Int64) throws -> Bool {
        try updateHeldConnection("since = CASE WHEN connected = 1 THEN since ELSE \(clock.now("$3")) END, connected = 1",
                                 botID: botID, holder: holder, now: now, repeatable: true)
    }

    public func recordDisconnected(botID: String, holder: String, error: String?, now: Int64) throws -> Bool {
        let dbNow = clock.now("$3")
        return try updateHeldConnection("""
            since = CASE WHEN connected = 0 AND since IS NOT NULL THEN since ELSE \(dbNow) END, connected = 0,
              last_error = coalesce($4, last_error), last_error_at = CASE WHEN $4 IS NULL THEN last_error_at ELSE \(dbNow) END
            """, botID: botID, holder: holder, now: now, repeatable: true, [error.parameter])
    }

    public func markTakenOver(botID: String, holder: String, now: Int64) throws -> Bool {
        let dbNow = clock.now("$3")
        return try updateHeldConnection("""
            taken_over_at = \(dbNow), holder = NULL, lease_until = NULL,
              since = CASE WHEN connected = 1 THEN \(dbNow) ELSE since END, connected = 0
            """, botID: botID, holder: holder, now: now, repeatable: false)
    }

    public func releaseConnection(botID: String, holder: String, now: Int64) throws -> Bool {
        try updateHeldConnection("""
            holder = NULL, lease_until = NULL, since = CASE WHEN connected = 1 THEN \(clock.now("$3")) ELSE since END,
              connected = 0
            """, botID: botID, holder: holder, now: now, repeatable: false)
    }

    /// One UPDATE of the bot's row, `set` (`$3` the caller's now, `$4`… the `extra` values), while
    /// `holder` (`$2`) holds it. `repeatable` as for ``write(repeatable:_:)``.
    private func updateHeldConnection(_ set: String, botID: String, holder: String, now: Int64, repeatable: Bool,
                                      _ extra: [PostgresParameter] = []) throws -> Bool {
        let sql = "UPDATE ws_connections SET \(set), updated_at = \(clock.now("$3")) WHERE botid = $1 AND holder = $2"
        return try write(repeatable: repeatable) {
            try connection.query(sql, [botID.parameter, holder.parameter, now.parameter] + extra).changedRows > 0
        }
    }

    public func clearTakenOver(botID: String, now: Int64) throws -> Bool {
        let sql = """
            UPDATE ws_connections SET taken_over_at = NULL, updated_at = \(clock.now("$2"))
            WHERE botid = $1 AND taken_over_at IS NOT NULL
            """
        return try write {
            try connection.query(sql, botID, now).changedRows > 0
        }
    }

    /// One statement: the bots with a secret, the lease rows and the bots with queued messages,
    /// with the queued messages of each.
    public func connectionStatuses(now: Int64) throws -> [ConnectionStatus] {
        let time = { (column: String) in self.clock.callerTime(column, callerNow: "$1") }
        let sql = """
            SELECT b.botid, c.holder, \(time("c.lease_until")), CASE WHEN c.lease_until < \(clock.now("$1")) THEN 1 ELSE 0 END,
              coalesce(c.connected, 0), \(time("c.since")), c.last_error, \(time("c.last_error_at")),
              \(time("c.taken_over_at")),
              (SELECT count(*) FROM outbound_messages o WHERE o.botid = b.botid AND o.state = 'queued')
            FROM (SELECT botid FROM bots WHERE ws_secret IS NOT NULL UNION SELECT botid FROM ws_connections
                  UNION SELECT botid FROM outbound_messages WHERE state = 'queued') b
            LEFT JOIN ws_connections c ON c.botid = b.botid
            ORDER BY b.botid
            """
        return try read {
            let rows = try connection.query(sql, now)
            return (0..<rows.rowCount).map { r in
                ConnectionStatus(
                    botID: rows.text(r, 0), holder: rows.optionalText(r, 1), leaseUntil: rows.optionalInt64(r, 2),
                    leaseExpired: rows.int64(r, 3) != 0, connected: rows.int64(r, 4) != 0, since: rows.optionalInt64(r, 5),
                    lastError: rows.optionalText(r, 6), lastErrorAt: rows.optionalInt64(r, 7),
                    takenOverAt: rows.optionalInt64(r, 8), queuedOutbound: Int(rows.int64(r, 9)))
            }
        }
    }
}
