import BotStore

/// The callback path: message dedupe, opening a stream with its job, and the refresh read.
extension PostgresStore {
    /// In one READ COMMITTED transaction: claims the (aibotid, msgid) with
    /// `INSERT … ON CONFLICT DO NOTHING RETURNING`; if the row came back, opens the stream and
    /// queues its job (one statement) and sends the job `NOTIFY` with the COMMIT. If it did not,
    /// the message is a redelivery: a fresh statement (a fresh snapshot) reads the stream of the
    /// transaction that recorded it, which the insert waited for when it was still running.
    /// So a redelivery gets the same stream from any host, also concurrently, and no second job.
    ///
    /// The transaction waits at most `failFastTimeout` for a lock (a table locked by an
    /// operator's transaction), then throws ``StoreError/unavailable(_:)``. It commits
    /// synchronously: an acknowledged message survives a crash of the database.
    public func acceptMessage(_ message: NewMessage, now: Int64) throws -> AcceptedMessage {
        return try write {
            try connection.transaction("BEGIN; " + settings.failFastSQL(local: true)) {
                guard try recordMessage(message, now: now) else {
                    let recorded = "s.id = (SELECT stream_id FROM messages WHERE aibotid = $2 AND msgid = $3)"
                    guard let existing = try snapshot(where: recorded, message.aibotID, message.msgID, now: now) else {
                        throw StoreError.notFound("stream of message \(message.aibotID)/\(message.msgID)")
                    }
                    return AcceptedMessage(stream: existing, isNew: false)
                }
                try openStreamAndQueueJob(for: message, now: now)
                connection.notifyAtCommit(settings.jobChannel)
                let stream = StreamSnapshot(id: message.proposedStreamID, state: .pending, content: message.initialContent,
                                            finished: false, createdAt: now, updatedAt: now)
                return AcceptedMessage(stream: stream, isNew: true)
            }
        }
    }

    /// Inserts the message row unless its (aibotid, msgid) exists; true when it inserted it.
    private func recordMessage(_ message: NewMessage, now: Int64) throws -> Bool {
        let sql = """
            INSERT INTO messages(aibotid, msgid, botid, msgtype, stream_id, created_at)
            VALUES ($1, $2, $3, $4, $5, \(clock.now("$6")))
            ON CONFLICT DO NOTHING RETURNING 1
            """
        return try connection.query(sql, message.aibotID, message.msgID, message.botID, message.msgType,
                                    message.proposedStreamID, now).rowCount == 1
    }

    /// The stream and its job in one statement (the job's insert sees the stream the same
    /// statement inserted).
    private func openStreamAndQueueJob(for message: NewMessage, now: Int64) throws {
        let dbNow = clock.now("$14")
        let sql = """
            WITH s AS (
              INSERT INTO streams(id, botid, aibotid, msgid, msgtype, chatid, chattype, userid, agent, state, content,
                response_url, created_at, updated_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, \(dbNow), \(dbNow))
              RETURNING id, created_at)
            INSERT INTO jobs(stream_id, state, payload, max_attempts, run_at, created_at, updated_at)
            SELECT id, 'queued', $12, $13, created_at, created_at, created_at FROM s
            """
        _ = try connection.query(sql, [
            message.proposedStreamID.parameter, message.botID.parameter, message.aibotID.parameter,
            message.msgID.parameter, message.msgType.parameter, message.chatID.parameter, message.chatType.parameter,
            message.userID.parameter, message.agent.parameter, message.initialContent.parameter,
            message.responseURL.parameter, message.payload.parameter, message.maxAttempts.parameter, now.parameter,
        ])
    }

    /// One statement, so one consistent read: the stream row, joined with its images only when
    /// it is finished (at most 10, in order), through the primary keys. No write.
    public func stream(id: String) throws -> StreamSnapshot? {
        try read { try snapshot(where: "s.id = $2", id, now: hostClock()) }
    }

    /// The snapshot of the stream `condition` picks (its parameters from `$2`; `$1` is the
    /// caller's now, for the times).
    private func snapshot<each Value: PostgresBindable>(where condition: String, _ values: repeat each Value,
                                                         now: Int64) throws -> StreamSnapshot? {
        let sql = """
            SELECT s.id, s.state, s.content, s.finished, s.error, \(clock.callerTime("s.created_at", callerNow: "$1")),
              \(clock.callerTime("s.updated_at", callerNow: "$1")), i.md5, i.data
            FROM streams s LEFT JOIN stream_images i ON i.stream_id = s.id AND s.finished = 1
            WHERE \(condition) ORDER BY i.position LIMIT 10
            """
        let rows = try connection.query(sql, now, repeat each values)
        guard rows.rowCount > 0 else { return nil }
        let stateText = rows.text(0, 1)
        guard let state = StreamState(rawValue: stateText) else {
            throw StoreError.backend("stream \(rows.text(0, 0)) has unknown state '\(stateText)'")
        }
        var snapshot = StreamSnapshot(id: rows.text(0, 0), state: state, content: rows.text(0, 2),
                                      finished: rows.int64(0, 3) != 0, error: rows.optionalText(0, 4),
                                      createdAt: rows.int64(0, 5), updatedAt: rows.int64(0, 6))
        for row in 0..<rows.rowCount where !rows.isNull(row, 7) {
            snapshot.images.append(StreamImage(data: rows.bytes(row, 8), md5: rows.text(row, 7)))
        }
        return snapshot
    }

    /// Replaces the stream's images with `images`, in order. Inside a write transaction.
    func replaceImages(of streamID: String, with images: ArraySlice<StreamImage>) throws {
        _ = try connection.query("DELETE FROM stream_images WHERE stream_id = $1", streamID)
        let sql = "INSERT INTO stream_images(stream_id, position, md5, bytes, data) VALUES ($1, $2, $3, $4, $5)"
        for (position, image) in images.enumerated() {
            _ = try connection.query(sql, streamID, position, image.md5, image.data.count, image.data)
        }
    }
}
