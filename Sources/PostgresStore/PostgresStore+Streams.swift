import BotStore

/// The callback path: message dedupe, opening a stream with its job, and the refresh read.
extension PostgresStore {
    /// One statement, in a transaction of its own: claims the (aibotid, msgid) with
    /// `INSERT … ON CONFLICT DO NOTHING RETURNING` and, if the row came back, opens the stream and
    /// queues its job. If it did not, the message is a redelivery: a fresh statement (a fresh
    /// snapshot) reads the stream of the transaction that recorded it, which the insert waited for
    /// when it was still running. So a redelivery gets the same stream from any host, also
    /// concurrently, and no second job.
    ///
    /// The statement waits at most `failFastTimeout` for a lock (a table locked by an operator's
    /// transaction), then throws ``StoreError/unavailable(_:)``: a responder's session has that
    /// limit already, any other connection sets it for a transaction around the statement. It
    /// commits synchronously: an acknowledged message survives a crash of the database.
    ///
    /// The job's `NOTIFY` follows in a transaction of its own that does not wait for the disk
    /// (``PostgresConnection/notify(_:)``), not with the accept's COMMIT: PostgreSQL lets one
    /// notifying transaction at a time commit (a database-wide lock held through the commit's WAL
    /// flush), which would put every accept's flush in one line instead of sharing flushes.
    public func acceptMessage(_ message: NewMessage, now: Int64) throws -> AcceptedMessage {
        return try write {
            let isNew = failFast ? try recordMessageWithStreamAndJob(message, now: now)
                : try connection.transaction("BEGIN; " + settings.failFastSQL(local: true)) {
                    try recordMessageWithStreamAndJob(message, now: now)
                }
            guard isNew else {
                let recorded = "s.id = (SELECT stream_id FROM messages WHERE aibotid = $2 AND msgid = $3)"
                guard let existing = try snapshot(where: recorded, message.aibotID, message.msgID, now: now) else {
                    throw StoreError.notFound("stream of message \(message.aibotID)/\(message.msgID)")
                }
                return AcceptedMessage(stream: existing, isNew: false)
            }
            connection.notify(settings.jobChannel)
            let stream = StreamSnapshot(id: message.proposedStreamID, state: .pending, content: message.initialContent,
                                        finished: false, createdAt: now, updatedAt: now)
            return AcceptedMessage(stream: stream, isNew: true)
        }
    }

    /// The message row unless its (aibotid, msgid) exists, and then its stream and job (and for a
    /// long-connection message its push state), in one statement (each insert sees what the one
    /// before it returned); true when it inserted them.
    private func recordMessageWithStreamAndJob(_ message: NewMessage, now: Int64) throws -> Bool {
        let dbNow = clock.now("$14")
        // A callback runs the statement it always ran; a long-connection message adds one insert.
        let pushState = message.reqID == nil ? "" : """
            ,
            w AS (
              INSERT INTO ws_streams(stream_id, botid, req_id, created_at, updated_at)
              SELECT id, $2, $15, created_at, created_at FROM s)
            """
        let sql = """
            WITH m AS (
              INSERT INTO messages(aibotid, msgid, botid, msgtype, stream_id, created_at)
              VALUES ($3, $4, $2, $5, $1, \(dbNow))
              ON CONFLICT DO NOTHING RETURNING 1),
            s AS (
              INSERT INTO streams(id, botid, aibotid, msgid, msgtype, chatid, chattype, userid, agent, state, content,
                response_url, created_at, updated_at)
              SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, \(dbNow), \(dbNow) FROM m
              RETURNING id, created_at),
            j AS (
              INSERT INTO jobs(stream_id, state, payload, max_attempts, run_at, created_at, updated_at)
              SELECT id, 'queued', $12, $13, created_at, created_at, created_at FROM s)\(pushState)
            SELECT count(*) FROM m
            """
        var parameters = [
            message.proposedStreamID.parameter, message.botID.parameter, message.aibotID.parameter,
            message.msgID.parameter, message.msgType.parameter, message.chatID.parameter, message.chatType.parameter,
            message.userID.parameter, message.agent.parameter, message.initialContent.parameter,
            message.responseURL.parameter, message.payload.parameter, message.maxAttempts.parameter, now.parameter,
        ]
        if let reqID = message.reqID { parameters.append(reqID.parameter) }
        return try connection.query(sql, parameters).int64(0, 0) == 1
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
