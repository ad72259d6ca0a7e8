import BotStore

/// The callback path and the stream writes: message dedupe, streams, their images and jobs.
extension SQLiteStore {
    /// Records the msgid and, if it is new, opens its stream and queues its job, all in one
    /// `BEGIN IMMEDIATE` transaction. Writers are serialized by the write lock, so when several
    /// processes accept the same msgid exactly one inserts it and all see the same stream.
    /// With an ``AcceptCommitter`` the transaction is shared with the messages other threads of
    /// the process accept at the same time. Gives up after ``callbackWait``
    /// (`StoreError.unavailable`, see ``callbackWrite(_:)``).
    public func acceptMessage(_ message: NewMessage, now: Int64) throws -> AcceptedMessage {
        try callbackWrite { deadline in
            if let acceptCommitter { return try acceptCommitter.accept(message, now: now, deadline: deadline) }
            return try connection.transaction { try accept(message, now: now) }
        }
    }

    /// Several messages in one write transaction, in order; all or none are committed. Waits
    /// for the write lock until `deadline` at the latest.
    func acceptMessages(_ batch: [(message: NewMessage, now: Int64)],
                        waitingUntil deadline: ContinuousClock.Instant) throws -> [AcceptedMessage] {
        try connection.waitingForLocks(until: deadline) {
            try connection.transaction { try batch.map { try accept($0.message, now: $0.now) } }
        }
    }

    /// Inside a write transaction.
    private func accept(_ message: NewMessage, now: Int64) throws -> AcceptedMessage {
        // The write lock is held from BEGIN IMMEDIATE, so the lookup cannot race another
        // process. Then one insert per table in foreign-key order: each B-tree page is
        // dirtied once, and no statement has to run twice (a flag pragma such as
        // defer_foreign_keys would expire every prepared statement of the connection).
        if let existing = try existingStream(for: message) {
            return AcceptedMessage(stream: existing, isNew: false)
        }
        try insertStream(for: message, now: now)
        try insertMessage(message, now: now)
        try insertJob(for: message, now: now)
        if let reqID = message.reqID { try insertPushState(for: message, reqID: reqID, now: now) }
        let stream = StreamSnapshot(id: message.proposedStreamID, state: .pending,
                                    content: message.initialContent, finished: false,
                                    createdAt: now, updatedAt: now)
        return AcceptedMessage(stream: stream, isNew: true)
    }

    private func insertMessage(_ message: NewMessage, now: Int64) throws {
        let sql = "INSERT INTO messages(aibotid, msgid, botid, msgtype, stream_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        try connection.withStatement(sql) { statement in
            try statement.bind(message.aibotID, message.msgID, message.botID, message.msgType,
                               message.proposedStreamID, now)
            try statement.run()
        }
    }

    private func insertStream(for message: NewMessage, now: Int64) throws {
        let sql = """
            INSERT INTO streams(id, botid, aibotid, msgid, msgtype, chatid, chattype, userid, agent,
              state, content, response_url, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
            """
        try connection.withStatement(sql) { statement in
            try statement.bind(message.proposedStreamID, message.botID, message.aibotID, message.msgID,
                               message.msgType, message.chatID, message.chatType, message.userID, message.agent,
                               message.initialContent, message.responseURL, now, now)
            try statement.run()
        }
    }

    private func insertJob(for message: NewMessage, now: Int64) throws {
        let sql = """
            INSERT INTO jobs(stream_id, state, payload, max_attempts, run_at, created_at, updated_at)
            VALUES (?, 'queued', ?, ?, ?, ?, ?)
            """
        try connection.withStatement(sql) { statement in
            try statement.bind(message.proposedStreamID, message.payload, Int64(message.maxAttempts), now, now, now)
            try statement.run()
        }
    }

    /// The stream of an already recorded (aibotid, msgid), nil for a new message.
    private func existingStream(for message: NewMessage) throws -> StreamSnapshot? {
        let row = try connection.withStatement("SELECT stream_id FROM messages WHERE aibotid = ? AND msgid = ?") {
            try $0.bind(message.aibotID, message.msgID)
            return try $0.step() ? [$0.optionalText(0)] : nil
        }
        guard let row else { return nil }
        guard let streamID = row[0], let stream = try stream(id: streamID) else {
            throw StoreError.notFound("stream of message \(message.aibotID)/\(message.msgID)")
        }
        return stream
    }

    /// One statement, so one consistent read: the stream row, joined with its images only
    /// when it is finished (at most 10, in order). No write.
    public func stream(id: String) throws -> StreamSnapshot? {
        let sql = """
            SELECT s.id, s.state, s.content, s.finished, s.error, s.created_at, s.updated_at, i.md5, i.data
            FROM streams s LEFT JOIN stream_images i ON i.stream_id = s.id AND s.finished = 1
            WHERE s.id = ? ORDER BY i.position LIMIT 10
            """
        return try connection.withStatement(sql) { row in
            try row.bind(id)
            guard try row.step() else { return nil }
            let stateText = row.text(1)
            guard let state = StreamState(rawValue: stateText) else {
                throw StoreError.backend("stream \(id) has unknown state '\(stateText)'")
            }
            var snapshot = StreamSnapshot(id: row.text(0), state: state, content: row.text(2),
                                          finished: row.int64(3) != 0, error: row.optionalText(4),
                                          createdAt: row.int64(5), updatedAt: row.int64(6))
            repeat {
                if !row.isNull(7) { snapshot.images.append(StreamImage(data: row.blob(8), md5: row.text(7))) }
            } while try row.step()
            return snapshot
        }
    }

    /// Replaces the content of an open stream and marks it `streaming`. A finished stream is
    /// left as it is (never reopened, its final content kept). Throws `notFound` for an unknown id.
    /// Not in ``BotStore`` (the worker writes through its lease): tests and benchmarks set
    /// streams up with it.
    public func updateStream(id: String, content: String, now: Int64) throws {
        let sql = """
            UPDATE streams SET content = ?, updated_at = ?, state = 'streaming'
            WHERE id = ? AND finished = 0
            """
        let updated = try connection.withStatement(sql) { statement in
            try statement.bind(content, now, id)
            try statement.run()
            return connection.changes > 0
        }
        if !updated, try !streamExists(id: id) {
            throw StoreError.notFound("stream \(id)")
        }
    }

    /// In one write transaction: sets the final content, state and error, marks the stream
    /// finished and replaces its images with the first 10 of `images`. Not in ``BotStore`` (the
    /// worker finishes a stream with its job, `finishJob`): tests set streams up with it.
    public func finishStream(id: String, content: String, images: [StreamImage], state: StreamState,
                             error: String?, now: Int64) throws {
        guard state == .finished || state == .failed else {
            throw StoreError.backend("finishStream needs state finished or failed, not \(state.rawValue)")
        }
        try connection.transaction {
            let sql = """
                UPDATE streams SET content = ?, state = ?, error = ?, finished = 1, finished_at = ?, updated_at = ?
                WHERE id = ?
                """
            try connection.withStatement(sql) { statement in
                try statement.bind(content, state.rawValue, error, now, now, id)
                try statement.run()
            }
            guard connection.changes > 0 else { throw StoreError.notFound("stream \(id)") }
            try replaceImages(of: id, with: images.prefix(10))
        }
    }

    /// Replaces the stream's images with `images`, in order. Call inside a write transaction.
    func replaceImages(of streamID: String, with images: ArraySlice<StreamImage>) throws {
        try connection.withStatement("DELETE FROM stream_images WHERE stream_id = ?") {
            try $0.bind(streamID)
            try $0.run()
        }
        let sql = "INSERT INTO stream_images(stream_id, position, md5, bytes, data) VALUES (?, ?, ?, ?, ?)"
        for (position, image) in images.enumerated() {
            try connection.withStatement(sql) { statement in
                try statement.bind(streamID, position, image.md5, image.data.count, image.data)
                try statement.run()
            }
        }
    }

    private func streamExists(id: String) throws -> Bool {
        try connection.withStatement("SELECT 1 FROM streams WHERE id = ?") {
            try $0.bind(id)
            return try $0.step()
        }
    }
}
