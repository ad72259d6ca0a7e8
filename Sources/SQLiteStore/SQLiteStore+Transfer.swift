import BotStore

/// Whole records for a move to or from another store (``StoreTransfer``): read in primary-key
/// order, a batch after the last key of the one before, and written with their ids and times as
/// they were, each batch in one `BEGIN IMMEDIATE` transaction.
extension SQLiteStore: StoreTransfer {
    /// How one kind is read: its select list, its table, its key columns in order, the condition
    /// of ``TransferScope`` (given the placeholder of `recentSince`; nil: every row), whether the
    /// key is one integer column (held as text in ``TransferKey``), and the record a row makes.
    private struct TransferTableQuery {
        let columns: String
        let table: String
        let key: [String]
        var inScope: ((String) -> String)?
        var integerKey = false
        let decode: (SQLiteStatement) throws -> TransferRecord
    }

    private static let streamColumns = """
        s.id, s.botid, s.aibotid, s.msgid, s.msgtype, s.chatid, s.chattype, s.userid, s.agent, s.state, s.content,
          s.finished, s.error, s.response_url, s.response_posted_at, s.created_at, s.updated_at, s.finished_at
        """

    /// The streams of ``TransferScope``, `recentSince` being the parameter `since`: unfinished,
    /// at work, or recent.
    private static func streamInScope(since: String) -> String {
        """
        (s.finished = 0 OR s.created_at >= \(since)
          OR EXISTS (SELECT 1 FROM jobs j WHERE j.stream_id = s.id AND (j.state = 'queued' OR j.state = 'running')))
        """
    }

    /// The messages the bot sends first that a copy takes: waiting or being sent, or recent.
    private static func outboundInScope(since: String) -> String {
        "(state = 'queued' OR state = 'sending' OR created_at >= \(since))"
    }

    private static let pushStateColumns = """
        botid, req_id, phase, first_frame_at, pushed_updated_at, pushed_bytes, fallback, follow_ups_sent, push_seq,
          created_at, updated_at
        """

    private static func query(_ kind: TransferKind) -> TransferTableQuery {
        switch kind {
        case .bots:
            return TransferTableQuery(columns: botColumns, table: "bots", key: ["botid"]) { .bot(botRecord($0)) }
        case .agents:
            return TransferTableQuery(
                columns: "id, name, dify_base_url, dify_api_key, welcome_text, bot_name, created_at", table: "agents",
                key: ["id"]) { row in
                    .agent(AgentRecord(id: row.text(0), name: row.text(1), difyBaseURL: row.text(2),
                                       difyAPIKey: row.text(3), welcomeText: row.optionalText(4),
                                       botName: row.optionalText(5), createdAt: row.int64(6)))
                }
        case .conversations:
            return TransferTableQuery(
                columns: "botid, agent, chat, userid, conversation_id, updated_at", table: "conversations",
                key: ["botid", "agent", "chat", "userid"]) { row in
                    .conversation(ConversationRecord(
                        key: ConversationKey(botID: row.text(0), agent: row.text(1), chat: row.text(2), userID: row.text(3)),
                        conversationID: row.text(4), updatedAt: row.int64(5)))
                }
        case .feedback:
            return TransferTableQuery(
                columns: "kind, botid, aibotid, msgid, userid, reference, rating, detail, payload, created_at",
                table: "feedback", key: ["aibotid", "msgid"]) { row in
                    guard let kind = StoredEvent.Kind(rawValue: row.text(0)) else {
                        throw StoreError.backend("feedback \(row.text(2))/\(row.text(3)) has unknown kind '\(row.text(0))'")
                    }
                    let event = StoredEvent(kind: kind, botID: row.text(1), aibotID: row.text(2), msgID: row.text(3),
                                            userID: row.text(4), reference: row.optionalText(5),
                                            rating: row.optionalInt64(6).map(Int.init), detail: row.optionalText(7),
                                            payload: row.text(8))
                    return .feedback(FeedbackRecord(event: event, createdAt: row.int64(9)))
                }
        case .connections:
            return TransferTableQuery(
                columns: "botid, taken_over_at, last_error, last_error_at, updated_at", table: "ws_connections",
                key: ["botid"]) { row in
                    .connection(ConnectionRecord(botID: row.text(0), takenOverAt: row.optionalInt64(1),
                                                 lastError: row.optionalText(2), lastErrorAt: row.optionalInt64(3),
                                                 updatedAt: row.int64(4)))
                }
        case .outbound:
            return TransferTableQuery(columns: outboundColumns + ", claim_until", table: "outbound_messages", key: ["id"],
                                      inScope: outboundInScope, integerKey: true) { row in
                .outbound(OutboundRecord(message: try outboundMessage(row), claimUntil: row.optionalInt64(12)))
            }
        case .streams:
            return TransferTableQuery(columns: streamColumns, table: "streams s", key: ["s.id"],
                                      inScope: streamInScope) { row in
                let stream = StreamRecord(
                    id: row.text(0), botID: row.text(1), aibotID: row.text(2), msgID: row.text(3), msgType: row.text(4),
                    chatID: row.optionalText(5), chatType: row.optionalText(6), userID: row.text(7),
                    agent: row.optionalText(8), state: try StreamState(stored: row.text(9)), content: row.text(10),
                    finished: row.int64(11) != 0, error: row.optionalText(12), responseURL: row.optionalText(13),
                    responsePostedAt: row.optionalInt64(14), createdAt: row.int64(15), updatedAt: row.int64(16),
                    finishedAt: row.optionalInt64(17))
                return .stream(StreamTransfer(stream: stream, message: nil, images: [], job: nil))
            }
        }
    }

    public func transferCounts(scope: TransferScope) throws -> [TransferTable: Int] {
        let sql = """
            WITH scoped AS (SELECT s.id, s.aibotid, s.msgid FROM streams s WHERE \(Self.streamInScope(since: "?1")))
            SELECT (SELECT count(*) FROM bots), (SELECT count(*) FROM agents), (SELECT count(*) FROM conversations),
              (SELECT count(*) FROM feedback), (SELECT count(*) FROM scoped),
              (SELECT count(*) FROM scoped c JOIN messages m ON m.aibotid = c.aibotid AND m.msgid = c.msgid
                 AND m.stream_id = c.id),
              (SELECT count(*) FROM scoped c JOIN stream_images i ON i.stream_id = c.id),
              (SELECT count(*) FROM scoped c JOIN jobs j ON j.stream_id = c.id),
              (SELECT count(*) FROM scoped c JOIN ws_streams w ON w.stream_id = c.id),
              (SELECT count(*) FROM ws_connections),
              (SELECT count(*) FROM outbound_messages WHERE \(Self.outboundInScope(since: "?1")))
            """
        // The columns come in `TransferTable.allCases` order.
        let tables = TransferTable.allCases
        return try connection.withStatement(sql) { row in
            try row.bind(scope.recentSince)
            guard try row.step() else { throw StoreError.backend("transfer counts: no row") }
            return Dictionary(uniqueKeysWithValues: tables.enumerated().map { ($1, Int(row.int64(Int32($0)))) })
        }
    }

    /// `?1` is the limit, then come the scope's `recentSince` (kinds with a scope) and the key to
    /// start after.
    public func exportRecords(_ kind: TransferKind, scope: TransferScope, after: TransferKey?, limit: Int) throws
        -> [TransferRecord] {
        let query = Self.query(kind)
        var conditions: [String] = []
        var texts: [String] = []
        if let inScope = query.inScope { conditions.append(inScope("?2")) }
        let firstKey = conditions.count + 2
        if let after {
            let placeholders = query.key.indices.map { "?\($0 + firstKey)" }
            conditions.append("(\(query.key.joined(separator: ", "))) > (\(placeholders.joined(separator: ", ")))")
            texts = after.parts
        }
        let sql = """
            SELECT \(query.columns) FROM \(query.table) \(conditions.isEmpty ? "" : "WHERE ")\(conditions.joined(separator: " AND "))
            ORDER BY \(query.key.joined(separator: ", ")) LIMIT ?1
            """
        let records = try connection.withStatement(sql) { row in
            try row.bind(Int64(max(1, limit)))
            if query.inScope != nil { try row.bind(scope.recentSince, at: 2) }
            try Self.bindKey(texts, of: query, to: row, from: firstKey)
            var records: [TransferRecord] = []
            while try row.step() { records.append(try query.decode(row)) }
            return records
        }
        return try records.map(withStreamRows)
    }

    public func storedRecords(_ kind: TransferKind, keys: [TransferKey]) throws -> [TransferRecord] {
        let query = Self.query(kind)
        let match = query.key.enumerated().map { "\($1) = ?\($0 + 1)" }.joined(separator: " AND ")
        let sql = "SELECT \(query.columns) FROM \(query.table) WHERE \(match)"
        let records = try keys.compactMap { key in
            try connection.withStatement(sql) { row -> TransferRecord? in
                try Self.bindKey(key.parts, of: query, to: row, from: 1)
                return try row.step() ? try query.decode(row) : nil
            }
        }
        return try records.map(withStreamRows)
    }

    /// Binds a key's parts from parameter `first` on, an integer key as a number.
    private static func bindKey(_ parts: [String], of query: TransferTableQuery, to row: SQLiteStatement,
                                from first: Int) throws {
        for (index, part) in parts.enumerated() {
            if query.integerKey {
                guard let number = Int64(part) else { throw StoreError.backend("transfer key '\(part)' is not a number") }
                try row.bind(number, at: Int32(index + first))
            } else {
                try row.bind(part, at: Int32(index + first))
            }
        }
    }

    /// A stream record completed with its message, images, job and push state; other records as
    /// they are.
    private func withStreamRows(_ record: TransferRecord) throws -> TransferRecord {
        guard case var .stream(unit) = record else { return record }
        let stream = unit.stream
        unit.message = try connection.withStatement("""
            SELECT aibotid, msgid, botid, msgtype, created_at FROM messages
            WHERE aibotid = ? AND msgid = ? AND stream_id = ?
            """) { row in
            try row.bind(stream.aibotID, stream.msgID, stream.id)
            return try row.step() ? MessageRecord(aibotID: row.text(0), msgID: row.text(1), botID: row.text(2),
                                                  msgType: row.text(3), createdAt: row.int64(4)) : nil
        }
        unit.images = try connection.withStatement("SELECT data, md5 FROM stream_images WHERE stream_id = ? ORDER BY position") { row in
            try row.bind(stream.id)
            var images: [StreamImage] = []
            while try row.step() { images.append(StreamImage(data: row.blob(0), md5: row.text(1))) }
            return images
        }
        unit.job = try connection.withStatement("SELECT \(Self.jobColumns), j.payload FROM jobs j WHERE j.stream_id = ?") { row in
            try row.bind(stream.id)
            return try row.step() ? JobRecord(summary: try Self.jobSummary(row, from: 0), payload: row.text(12)) : nil
        }
        unit.push = try connection.withStatement("SELECT \(Self.pushStateColumns) FROM ws_streams WHERE stream_id = ?") { row in
            try row.bind(stream.id)
            guard try row.step() else { return nil }
            return PushStateRecord(botID: row.text(0), reqID: row.text(1), state: try Self.pushState(row, from: 2),
                                   createdAt: row.int64(9), updatedAt: row.int64(10))
        }
        return .stream(unit)
    }

    public func insertRecords(_ records: [TransferRecord]) throws {
        try connection.transaction {
            for record in records { try insert(record) }
        }
    }

    /// Inside the transaction: one record, each of its rows inserted unless it clashes.
    private func insert(_ record: TransferRecord) throws {
        switch record {
        case let .bot(bot):
            try insertRow(record, "a bot with this id", """
                INSERT INTO bots(\(Self.botColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                try $0.bind(bot.botID, bot.token, bot.encodingAESKey, bot.receiveID, bot.agent, bot.botName, bot.wsSecret,
                            bot.createdAt)
            }
        case let .agent(agent):
            try insertRow(record, "an agent with this id or the name '\(agent.name)'", """
                INSERT INTO agents(id, name, dify_base_url, dify_api_key, welcome_text, bot_name, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                try $0.bind(agent.id, agent.name, agent.difyBaseURL, agent.difyAPIKey, agent.welcomeText, agent.botName,
                            agent.createdAt)
            }
        case let .conversation(conversation):
            try insertRow(record, "a conversation with this key", """
                INSERT INTO conversations(botid, agent, chat, userid, conversation_id, updated_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                let key = conversation.key
                try $0.bind(key.botID, key.agent, key.chat, key.userID, conversation.conversationID, conversation.updatedAt)
            }
        case let .feedback(feedback):
            try insertRow(record, "an event with this msgid", """
                INSERT INTO feedback(kind, botid, aibotid, msgid, userid, reference, rating, detail, payload, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                let event = feedback.event
                try $0.bind(event.kind.rawValue, event.botID, event.aibotID, event.msgID, event.userID, event.reference,
                            event.rating, event.detail, event.payload, feedback.createdAt)
            }
        case let .stream(unit):
            try insertStream(unit, record)
        case let .connection(connection):
            try insertRow(record, "a connection row for this bot", """
                INSERT INTO ws_connections(botid, connected, last_error, last_error_at, taken_over_at, updated_at)
                VALUES (?, 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                try $0.bind(connection.botID, connection.lastError, connection.lastErrorAt, connection.takenOverAt,
                            connection.updatedAt)
            }
        case let .outbound(outbound):
            let m = outbound.message
            try insertRow(record, "an outbound message with this id", """
                INSERT INTO outbound_messages(id, botid, chat_type, chatid, msgtype, content, state, holder, claim_until,
                  errcode, errmsg, created_at, updated_at, finished_at)
                VALUES (?, ?, ?, ?, 'markdown', ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                try $0.bind(m.id, m.botID, m.target.chatType, m.target.chatID, m.markdown, m.state.rawValue, m.holder,
                            outbound.claimUntil, m.errcode, m.errmsg, m.createdAt, m.updatedAt, m.finishedAt)
            }
        }
    }

    private func insertStream(_ unit: StreamTransfer, _ record: TransferRecord) throws {
        let s = unit.stream
        try insertRow(record, "a stream with this id", """
            INSERT INTO streams(id, botid, aibotid, msgid, msgtype, chatid, chattype, userid, agent, state, content,
              finished, error, response_url, response_posted_at, created_at, updated_at, finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """) {
            try $0.bind(s.id, s.botID, s.aibotID, s.msgID, s.msgType, s.chatID, s.chatType, s.userID, s.agent,
                        s.state.rawValue, s.content, Int64(s.finished ? 1 : 0), s.error, s.responseURL,
                        s.responsePostedAt, s.createdAt, s.updatedAt, s.finishedAt)
        }
        if let message = unit.message {
            try insertRow(record, "its msgid \(message.aibotID)/\(message.msgID) recorded for another stream", """
                INSERT INTO messages(aibotid, msgid, botid, msgtype, stream_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                try $0.bind(message.aibotID, message.msgID, message.botID, message.msgType, s.id, message.createdAt)
            }
        }
        try replaceImages(of: s.id, with: unit.images[...])
        if let job = unit.job?.summary, let payload = unit.job?.payload {
            try insertRow(record, "its job id \(job.id) taken by another stream's job", """
                INSERT INTO jobs(id, stream_id, state, payload, attempts, max_attempts, run_at, lease_owner, lease_until,
                  last_error, created_at, updated_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """) {
                try $0.bind(job.id, s.id, job.state.rawValue, payload, job.attempts, job.maxAttempts, job.runAt,
                            job.leaseOwner, job.leaseUntil, job.lastError, job.createdAt, job.updatedAt, job.finishedAt)
            }
        }
        if let push = unit.push {
            let state = push.state
            try insertRow(record, "its push state", """
                INSERT INTO ws_streams(stream_id, \(Self.pushStateColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """) {
                try $0.bind(s.id, push.botID, push.reqID, state.phase.rawValue, state.firstFrameAt,
                            state.pushed?.storedUpdatedAt, state.pushed?.contentBytes, state.fallback ? 1 : 0,
                            state.followUpsSent, state.seq, push.createdAt, push.updatedAt)
            }
        }
    }

    /// Runs one `INSERT … ON CONFLICT DO NOTHING`; a row it did not insert is a conflict over `what`.
    private func insertRow(_ record: TransferRecord, _ what: String, _ sql: String,
                           bind: (SQLiteStatement) throws -> Void) throws {
        let inserted = try connection.withStatement(sql) { statement in
            try bind(statement)
            try statement.run()
            return connection.changes == 1
        }
        guard inserted else {
            throw TransferConflict(kind: record.kind, key: record.key, detail: "the destination already holds \(what)")
        }
    }
}
