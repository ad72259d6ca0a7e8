import BotStore

/// Whole records for a move to or from another store (``StoreTransfer``): read in primary-key
/// order (keys are `COLLATE "C"`, so the order is SQLite's), a batch after the last key of the
/// one before, and written with their ids and times as they were, each batch in one transaction.
/// Times are copied as stored, not moved between clocks: they were stamped by the hosts (SQLite)
/// or the database (here), which agree as far as leases need.
extension PostgresStore: StoreTransfer {
    /// How one kind is read: its select list, its table, its key columns in order, the condition
    /// of ``TransferScope`` (given the placeholder of `recentSince`; nil: every row), whether the
    /// key is one integer column (held as text in ``TransferKey``), and the record a row makes.
    private struct TransferTableQuery {
        let columns: String
        let table: String
        let key: [String]
        var inScope: ((String) -> String)?
        var integerKey = false
        let decode: (PostgresResult, Int) throws -> TransferRecord
    }

    private static let streamColumns = """
        s.id, s.botid, s.aibotid, s.msgid, s.msgtype, s.chatid, s.chattype, s.userid, s.agent, s.state, s.content,
          s.finished, s.error, s.response_url, s.response_posted_at, s.created_at, s.updated_at, s.finished_at
        """

    /// The job's columns as stored (``jobColumns`` of the status queries moves them to the
    /// caller's clock), then its payload.
    private static let jobRowColumns = """
        j.id, j.stream_id, j.state, j.attempts, j.max_attempts, j.run_at, j.lease_owner, j.lease_until,
          j.last_error, j.created_at, j.updated_at, j.finished_at, j.payload
        """

    /// The streams of ``TransferScope``, `recentSince` being the parameter `since`: unfinished,
    /// at work, or recent.
    private static func streamInScope(since: String) -> String {
        """
        (s.finished = 0 OR s.created_at >= \(since)
          OR EXISTS (SELECT 1 FROM jobs j WHERE j.stream_id = s.id AND j.state IN ('queued', 'running')))
        """
    }

    /// The messages the bot sends first that a copy takes: waiting or being sent, or recent.
    private static func outboundInScope(since: String) -> String {
        "(state IN ('queued', 'sending') OR created_at >= \(since))"
    }

    private static let pushStateColumns = """
        botid, req_id, phase, first_frame_at, pushed_updated_at, pushed_bytes, fallback, follow_ups_sent, push_seq,
          created_at, updated_at
        """

    /// Every column of `outbound_messages` as stored, in the order of ``outboundMessage(_:_:)``, then `claim_until`.
    private static let outboundRowColumns = """
        id, botid, chat_type, chatid, content, state, holder, errcode, errmsg, created_at, updated_at, finished_at,
          claim_until
        """

    private static func query(_ kind: TransferKind) -> TransferTableQuery {
        switch kind {
        case .bots:
            return TransferTableQuery(columns: botColumns, table: "bots", key: ["botid"]) { .bot(botRecord($0, $1)) }
        case .agents:
            return TransferTableQuery(
                columns: "id, name, dify_base_url, dify_api_key, welcome_text, bot_name, created_at", table: "agents",
                key: ["id"]) { rows, r in
                    .agent(AgentRecord(id: rows.text(r, 0), name: rows.text(r, 1), difyBaseURL: rows.text(r, 2),
                                       difyAPIKey: rows.text(r, 3), welcomeText: rows.optionalText(r, 4),
                                       botName: rows.optionalText(r, 5), createdAt: rows.int64(r, 6)))
                }
        case .conversations:
            return TransferTableQuery(
                columns: "botid, agent, chat, userid, conversation_id, updated_at", table: "conversations",
                key: ["botid", "agent", "chat", "userid"]) { rows, r in
                    .conversation(ConversationRecord(
                        key: ConversationKey(botID: rows.text(r, 0), agent: rows.text(r, 1), chat: rows.text(r, 2),
                                             userID: rows.text(r, 3)),
                        conversationID: rows.text(r, 4), updatedAt: rows.int64(r, 5)))
                }
        case .feedback:
            return TransferTableQuery(
                columns: "kind, botid, aibotid, msgid, userid, reference, rating, detail, payload, created_at",
                table: "feedback", key: ["aibotid", "msgid"]) { rows, r in
                    guard let kind = StoredEvent.Kind(rawValue: rows.text(r, 0)) else {
                        throw StoreError.backend("feedback \(rows.text(r, 2))/\(rows.text(r, 3)) has unknown kind "
                                                 + "'\(rows.text(r, 0))'")
                    }
                    let event = StoredEvent(kind: kind, botID: rows.text(r, 1), aibotID: rows.text(r, 2),
                                            msgID: rows.text(r, 3), userID: rows.text(r, 4),
                                            reference: rows.optionalText(r, 5),
                                            rating: rows.optionalInt64(r, 6).map(Int.init),
                                            detail: rows.optionalText(r, 7), payload: rows.text(r, 8))
                    return .feedback(FeedbackRecord(event: event, createdAt: rows.int64(r, 9)))
                }
        case .connections:
            return TransferTableQuery(
                columns: "botid, taken_over_at, last_error, last_error_at, updated_at", table: "ws_connections",
                key: ["botid"]) { rows, r in
                    .connection(ConnectionRecord(botID: rows.text(r, 0), takenOverAt: rows.optionalInt64(r, 1),
                                                 lastError: rows.optionalText(r, 2), lastErrorAt: rows.optionalInt64(r, 3),
                                                 updatedAt: rows.int64(r, 4)))
                }
        case .outbound:
            return TransferTableQuery(columns: outboundRowColumns, table: "outbound_messages", key: ["id"],
                                      inScope: outboundInScope, integerKey: true) { rows, r in
                .outbound(OutboundRecord(message: try outboundMessage(rows, r), claimUntil: rows.optionalInt64(r, 12)))
            }
        case .streams:
            return TransferTableQuery(columns: streamColumns, table: "streams s", key: ["s.id"],
                                      inScope: streamInScope) { rows, r in
                let stream = StreamRecord(
                    id: rows.text(r, 0), botID: rows.text(r, 1), aibotID: rows.text(r, 2), msgID: rows.text(r, 3),
                    msgType: rows.text(r, 4), chatID: rows.optionalText(r, 5), chatType: rows.optionalText(r, 6),
                    userID: rows.text(r, 7), agent: rows.optionalText(r, 8),
                    state: try StreamState(stored: rows.text(r, 9)), content: rows.text(r, 10),
                    finished: rows.int64(r, 11) != 0, error: rows.optionalText(r, 12),
                    responseURL: rows.optionalText(r, 13), responsePostedAt: rows.optionalInt64(r, 14),
                    createdAt: rows.int64(r, 15), updatedAt: rows.int64(r, 16), finishedAt: rows.optionalInt64(r, 17))
                return .stream(StreamTransfer(stream: stream, message: nil, images: [], job: nil))
            }
        }
    }

    /// One statement, so one snapshot.
    public func transferCounts(scope: TransferScope) throws -> [TransferTable: Int] {
        let sql = """
            WITH scoped AS (SELECT s.id, s.aibotid, s.msgid FROM streams s WHERE \(Self.streamInScope(since: "$1")))
            SELECT (SELECT count(*) FROM bots), (SELECT count(*) FROM agents), (SELECT count(*) FROM conversations),
              (SELECT count(*) FROM feedback), (SELECT count(*) FROM scoped),
              (SELECT count(*) FROM scoped c JOIN messages m ON m.aibotid = c.aibotid AND m.msgid = c.msgid
                 AND m.stream_id = c.id),
              (SELECT count(*) FROM scoped c JOIN stream_images i ON i.stream_id = c.id),
              (SELECT count(*) FROM scoped c JOIN jobs j ON j.stream_id = c.id),
              (SELECT count(*) FROM scoped c JOIN ws_streams w ON w.stream_id = c.id),
              (SELECT count(*) FROM ws_connections),
              (SELECT count(*) FROM outbound_messages WHERE \(Self.outboundInScope(since: "$1")))
            """
        // The columns come in `TransferTable.allCases` order.
        let tables = TransferTable.allCases
        return try read {
            let row = try connection.query(sql, scope.recentSince)
            return Dictionary(uniqueKeysWithValues: tables.enumerated().map { ($1, Int(row.int64(0, $0))) })
        }
    }

    /// `$1` is the limit, then come the scope's `recentSince` (kinds with a scope) and the key to
    /// start after.
    public func exportRecords(_ kind: TransferKind, scope: TransferScope, after: TransferKey?, limit: Int) throws
        -> [TransferRecord] {
        let query = Self.query(kind)
        var conditions: [String] = []
        var parameters = [max(1, limit).parameter]
        if let inScope = query.inScope {
            conditions.append(inScope("$2"))
            parameters.append(scope.recentSince.parameter)
        }
        if let after {
            let placeholders = query.key.indices.map { "$\($0 + parameters.count + 1)" }
            conditions.append("(\(query.key.joined(separator: ", "))) > (\(placeholders.joined(separator: ", ")))")
            parameters += try Self.keyParameters(after, of: query)
        }
        let sql = """
            SELECT \(query.columns) FROM \(query.table) \(conditions.isEmpty ? "" : "WHERE ")\(conditions.joined(separator: " AND "))
            ORDER BY \(query.key.joined(separator: ", ")) LIMIT $1
            """
        return try read {
            let rows = try connection.query(sql, parameters)
            return try (0..<rows.rowCount).map { try withStreamRows(try query.decode(rows, $0)) }
        }
    }

    public func storedRecords(_ kind: TransferKind, keys: [TransferKey]) throws -> [TransferRecord] {
        let query = Self.query(kind)
        let match = query.key.enumerated().map { "\($1) = $\($0 + 1)" }.joined(separator: " AND ")
        let sql = "SELECT \(query.columns) FROM \(query.table) WHERE \(match)"
        return try read {
            try keys.compactMap { key in
                let rows = try connection.query(sql, try Self.keyParameters(key, of: query))
                return rows.rowCount > 0 ? try withStreamRows(try query.decode(rows, 0)) : nil
            }
        }
    }

    /// A key's parts as parameters, an integer key as a number.
    private static func keyParameters(_ key: TransferKey, of query: TransferTableQuery) throws -> [PostgresParameter] {
        try key.parts.map { part in
            guard query.integerKey else { return part.parameter }
            guard let number = Int64(part) else { throw StoreError.backend("transfer key '\(part)' is not a number") }
            return number.parameter
        }
    }

    /// A stream record completed with its message, images, job and push state; other records as
    /// they are.
    private func withStreamRows(_ record: TransferRecord) throws -> TransferRecord {
        guard case var .stream(unit) = record else { return record }
        let stream = unit.stream
        let message = try connection.query("""
            SELECT aibotid, msgid, botid, msgtype, created_at FROM messages
            WHERE aibotid = $1 AND msgid = $2 AND stream_id = $3
            """, stream.aibotID, stream.msgID, stream.id)
        unit.message = message.rowCount > 0
            ? MessageRecord(aibotID: message.text(0, 0), msgID: message.text(0, 1), botID: message.text(0, 2),
                            msgType: message.text(0, 3), createdAt: message.int64(0, 4)) : nil
        let images = try connection.query("SELECT data, md5 FROM stream_images WHERE stream_id = $1 ORDER BY position",
                                          stream.id)
        unit.images = (0..<images.rowCount).map { StreamImage(data: images.bytes($0, 0), md5: images.text($0, 1)) }
        let job = try connection.query("SELECT \(Self.jobRowColumns) FROM jobs j WHERE j.stream_id = $1", stream.id)
        unit.job = job.rowCount > 0 ? JobRecord(summary: try Self.jobSummary(job, 0, from: 0), payload: job.text(0, 12)) : nil
        let push = try connection.query("SELECT \(Self.pushStateColumns) FROM ws_streams WHERE stream_id = $1", stream.id)
        unit.push = push.rowCount > 0
            ? PushStateRecord(botID: push.text(0, 0), reqID: push.text(0, 1), state: try Self.pushState(push, 0, from: 2),
                              createdAt: push.int64(0, 9), updatedAt: push.int64(0, 10)) : nil
        return .stream(unit)
    }

    /// After inserting jobs or messages the bot sends first with their ids, moves the identity
    /// sequence of their table past the largest, so that the next new row does not take a copied id.
    public func insertRecords(_ records: [TransferRecord]) throws {
        let advanceIDs = { (table: String) in
            """
            SELECT setval(x.seq, x.top) FROM (
              SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq, (SELECT max(id) FROM \(table)) AS top) x
            WHERE x.top > coalesce(pg_sequence_last_value(x.seq), 0)
            """
        }
        try write {
            try connection.transaction {
                for record in records { try insert(record) }
                if records.contains(where: { if case let .stream(unit) = $0 { unit.job != nil } else { false } }) {
                    _ = try connection.query(advanceIDs("jobs"), settings.quotedSchema + ".jobs")
                }
                if records.contains(where: { if case .outbound = $0 { true } else { false } }) {
                    _ = try connection.query(advanceIDs("outbound_messages"), settings.quotedSchema + ".outbound_messages")
                }
            }
        }
    }

    /// Inside the transaction: one record, each of its rows inserted unless it clashes.
    private func insert(_ record: TransferRecord) throws {
        switch record {
        case let .bot(bot):
            try insertRow(record, "a bot with this id", """
                INSERT INTO bots(\(Self.botColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
                """, Self.botParameters(bot))
        case let .agent(agent):
            try insertRow(record, "an agent with this id or the name '\(agent.name)'", """
                INSERT INTO agents(id, name, dify_base_url, dify_api_key, welcome_text, bot_name, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
                """, [agent.id.parameter, agent.name.parameter, agent.difyBaseURL.parameter, agent.difyAPIKey.parameter,
                      agent.welcomeText.parameter, agent.botName.parameter, agent.createdAt.parameter])
        case let .conversation(conversation):
            let key = conversation.key
            try insertRow(record, "a conversation with this key", """
                INSERT INTO conversations(botid, agent, chat, userid, conversation_id, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                """, [key.botID.parameter, key.agent.parameter, key.chat.parameter, key.userID.parameter,
                      conversation.conversationID.parameter, conversation.updatedAt.parameter])
        case let .feedback(feedback):
            let event = feedback.event
            try insertRow(record, "an event with this msgid", """
                INSERT INTO feedback(kind, botid, aibotid, msgid, userid, reference, rating, detail, payload, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING
                """, [event.kind.rawValue.parameter, event.botID.parameter, event.aibotID.parameter, event.msgID.parameter,
                      event.userID.parameter, event.reference.parameter, event.rating.parameter, event.detail.parameter,
                      event.payload.parameter, feedback.createdAt.parameter])
        case let .stream(unit):
            try insertStream(unit, record)
        case let .connection(connection):
            try insertRow(record, "a connection row for this bot", """
                INSERT INTO ws_connections(botid, connected, last_error, last_error_at, taken_over_at, updated_at)
                VALUES ($1, 0, $2, $3, $4, $5) ON CONFLICT DO NOTHING
                """, [connection.botID.parameter, connection.lastError.parameter, connection.lastErrorAt.parameter,
                      connection.takenOverAt.parameter, connection.updatedAt.parameter])
        case let .outbound(outbound):
            let m = outbound.message
            try insertRow(record, "an outbound message with this id", """
                INSERT INTO outbound_messages(id, botid, chat_type, chatid, msgtype, content, state, holder, claim_until,
                  errcode, errmsg, created_at, updated_at, finished_at)
                VALUES ($1, $2, $3, $4, 'markdown', $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING
                """, [m.id.parameter, m.botID.parameter, m.target.chatType.parameter, m.target.chatID.parameter,
                      m.markdown.parameter, m.state.rawValue.parameter, m.holder.parameter, outbound.claimUntil.parameter,
                      m.errcode.parameter, m.errmsg.parameter, m.createdAt.parameter, m.updatedAt.parameter,
                      m.finishedAt.parameter])
        }
    }

    private func insertStream(_ unit: StreamTransfer, _ record: TransferRecord) throws {
        let s = unit.stream
        try insertRow(record, "a stream with this id", """
            INSERT INTO streams(id, botid, aibotid, msgid, msgtype, chatid, chattype, userid, agent, state, content,
              finished, error, response_url, response_posted_at, created_at, updated_at, finished_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING
            """, [s.id.parameter, s.botID.parameter, s.aibotID.parameter, s.msgID.parameter, s.msgType.parameter,
                  s.chatID.parameter, s.chatType.parameter, s.userID.parameter, s.agent.parameter,
                  s.state.rawValue.parameter, s.content.parameter, Int64(s.finished ? 1 : 0).parameter, s.error.parameter,
                  s.responseURL.parameter, s.responsePostedAt.parameter, s.createdAt.parameter, s.updatedAt.parameter,
                  s.finishedAt.parameter])
        if let message = unit.message {
            try insertRow(record, "its msgid \(message.aibotID)/\(message.msgID) recorded for another stream", """
                INSERT INTO messages(aibotid, msgid, botid, msgtype, stream_id, created_at)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                """, [message.aibotID.parameter, message.msgID.parameter, message.botID.parameter,
                      message.msgType.parameter, s.id.parameter, message.createdAt.parameter])
        }
        try replaceImages(of: s.id, with: unit.images[...])
        if let job = unit.job?.summary, let payload = unit.job?.payload {
            try insertRow(record, "its job id \(job.id) taken by another stream's job", """
                INSERT INTO jobs(id, stream_id, state, payload, attempts, max_attempts, run_at, lease_owner, lease_until,
                  last_error, created_at, updated_at, finished_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING
                """, [job.id.parameter, s.id.parameter, job.state.rawValue.parameter, payload.parameter,
                      job.attempts.parameter, job.maxAttempts.parameter, job.runAt.parameter, job.leaseOwner.parameter,
                      job.leaseUntil.parameter, job.lastError.parameter, job.createdAt.parameter,
                      job.updatedAt.parameter, job.finishedAt.parameter])
        }
        if let push = unit.push {
            let state = push.state
            try insertRow(record, "its push state", """
                INSERT INTO ws_streams(stream_id, \(Self.pushStateColumns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING
                """, [s.id.parameter, push.botID.parameter, push.reqID.parameter, state.phase.rawValue.parameter,
                      state.firstFrameAt.parameter, (state.pushed?.storedUpdatedAt).parameter,
                      (state.pushed?.contentBytes).parameter, Int64(state.fallback ? 1 : 0).parameter,
                      state.followUpsSent.parameter, state.seq.parameter, push.createdAt.parameter,
                      push.updatedAt.parameter])
        }
    }

    /// Runs one `INSERT … ON CONFLICT DO NOTHING`; a row it did not insert is a conflict over `what`.
    private func insertRow(_ record: TransferRecord, _ what: String, _ sql: String,
                           _ parameters: [PostgresParameter]) throws {
        guard try connection.query(sql, parameters).changedRows == 1 else {
            throw TransferConflict(kind: record.kind, key: record.key, detail: "the destination already holds \(what)")
        }
    }
}
