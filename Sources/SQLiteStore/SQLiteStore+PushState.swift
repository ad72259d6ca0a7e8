import BotStore

/// The push state of long-connection streams (`ws_streams`): opened with the stream when a
/// long-connection frame is accepted, read by the holder of the stream's bot, advanced by it.
extension SQLiteStore {
    /// Inside the accept's write transaction, after the stream's insert (a callback message has
    /// no `req_id` and never comes here).
    func insertPushState(for message: NewMessage, reqID: String, now: Int64) throws {
        let sql = "INSERT INTO ws_streams(stream_id, botid, req_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)"
        try connection.withStatement(sql) { statement in
            try statement.bind(message.proposedStreamID, message.botID, reqID, now)
            try statement.run()
        }
    }

    /// One statement over `ws_streams_pending` and the streams' primary key. The byte length of
    /// the content is compared only when the cheaper tests leave the stream unchanged.
    public func longConnectionStreams(holder: String, windowStartedBefore: Int64, now: Int64) throws
        -> [LongConnectionStream] {
        let sql = """
            SELECT s.id, w.botid, w.req_id, s.aibotid, s.msgid, s.chatid, s.chattype, s.userid, s.state, s.content,
              s.finished, s.error, (SELECT count(*) FROM stream_images i WHERE i.stream_id = s.id AND s.finished = 1),
              s.created_at, s.updated_at, length(CAST(s.content AS BLOB)), w.phase, w.first_frame_at, w.pushed_updated_at,
              w.pushed_bytes, w.fallback, w.follow_ups_sent, w.push_seq
            FROM ws_streams w JOIN streams s ON s.id = w.stream_id
            WHERE w.phase <> 'delivered' AND w.botid IN (SELECT botid FROM ws_connections WHERE holder = ?1)
              AND ((w.phase = 'streaming' AND (w.pushed_updated_at IS NULL OR s.finished = 1 OR w.first_frame_at <= ?2
                      OR s.updated_at <> w.pushed_updated_at OR length(CAST(s.content AS BLOB)) <> w.pushed_bytes))
                   OR (w.phase = 'ended' AND s.finished = 1))
            ORDER BY s.created_at, s.id
            """
        return try connection.withStatement(sql) { row in
            try row.bind(holder, windowStartedBefore)
            var streams: [LongConnectionStream] = []
            while try row.step() {
                let push = try Self.pushState(row, from: 16)
                streams.append(LongConnectionStream(
                    streamID: row.text(0), botID: row.text(1), reqID: row.text(2), aibotID: row.text(3),
                    msgID: row.text(4), chatID: row.optionalText(5), chatType: row.optionalText(6), userID: row.text(7),
                    state: try StreamState(stored: row.text(8)), content: row.text(9), finished: row.int64(10) != 0,
                    error: row.optionalText(11), imageCount: Int(row.int64(12)), createdAt: row.int64(13),
                    updatedAt: row.int64(14),
                    version: SnapshotVersion(storedUpdatedAt: row.int64(14), contentBytes: Int(row.int64(15))), push: push))
            }
            return streams
        }
    }

    /// Reads `phase, first_frame_at, pushed_updated_at, pushed_bytes, fallback, follow_ups_sent,
    /// push_seq` from column `first` on.
    static func pushState(_ row: SQLiteStatement, from first: Int32) throws -> PushState {
        let pushed = row.isNull(first + 2) ? nil
            : SnapshotVersion(storedUpdatedAt: row.int64(first + 2), contentBytes: Int(row.int64(first + 3)))
        return PushState(phase: try PushPhase(stored: row.text(first)), firstFrameAt: row.optionalInt64(first + 1),
                         pushed: pushed, fallback: row.int64(first + 4) != 0, followUpsSent: Int(row.int64(first + 5)),
                         seq: row.int64(first + 6))
    }

    /// One autocommit UPDATE, compare-and-set on `push_seq`, while the caller holds the bot.
    public func recordPush(streamID: String, holder: String, expectedSeq: Int64, update: PushUpdate, now: Int64) throws
        -> Bool {
        let sql = """
            UPDATE ws_streams SET phase = ?5,
              first_frame_at = CASE WHEN ?6 = 1 AND first_frame_at IS NULL THEN ?4 ELSE first_frame_at END,
              pushed_updated_at = coalesce(?7, pushed_updated_at),
              pushed_bytes = CASE WHEN ?7 IS NULL THEN pushed_bytes ELSE ?8 END,
              fallback = ?9, follow_ups_sent = ?10, push_seq = push_seq + 1, updated_at = ?4
            WHERE stream_id = ?1 AND push_seq = ?3
              AND EXISTS (SELECT 1 FROM ws_connections c WHERE c.botid = ws_streams.botid AND c.holder = ?2)
            """
        return try connection.withStatement(sql) { statement in
            try statement.bind(streamID, holder, expectedSeq, now, update.phase.rawValue, update.frameSent ? 1 : 0,
                               update.pushed?.storedUpdatedAt, update.pushed?.contentBytes, update.fallback ? 1 : 0,
                               update.followUpsSent)
            try statement.run()
            return connection.changes > 0
        }
    }
}
