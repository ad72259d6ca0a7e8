import BotStore

/// The push state of long-connection streams (`ws_streams`): opened with the stream when a
/// long-connection frame is accepted (in the accept's statement), read by the holder of the
/// stream's bot, advanced by it.
extension PostgresStore {
    /// One statement over `ws_streams_pending` and the streams' primary key; times on the caller's
    /// clock, except ``SnapshotVersion``, which keeps the stored `updated_at` for the comparison.
    /// `octet_length` reads a long value's size without decompressing it.
    public func longConnectionStreams(holder: String, windowStartedBefore: Int64, now: Int64) throws
        -> [LongConnectionStream] {
        let time = { (column: String) in self.clock.callerTime(column, callerNow: "$3") }
        let sql = """
            SELECT s.id, w.botid, w.req_id, s.aibotid, s.msgid, s.chatid, s.chattype, s.userid, s.state, s.content,
              s.finished, s.error,
              CASE WHEN s.finished = 1 THEN (SELECT count(*) FROM stream_images i WHERE i.stream_id = s.id) ELSE 0 END,
              \(time("s.created_at")), \(time("s.updated_at")), s.updated_at, octet_length(s.content), w.phase,
              \(time("w.first_frame_at")), w.pushed_updated_at, w.pushed_bytes, w.fallback, w.follow_ups_sent, w.push_seq
            FROM ws_streams w JOIN streams s ON s.id = w.stream_id
            WHERE w.phase <> 'delivered' AND w.botid IN (SELECT botid FROM ws_connections WHERE holder = $1)
              AND ((w.phase = 'streaming' AND (w.pushed_updated_at IS NULL OR s.finished = 1
                      OR w.first_frame_at <= \(clock.databaseTime("$2", callerNow: "$3"))
                      OR s.updated_at <> w.pushed_updated_at OR octet_length(s.content) <> w.pushed_bytes))
                   OR (w.phase = 'ended' AND s.finished = 1))
            ORDER BY s.created_at, s.id
            """
        return try read {
            let rows = try connection.query(sql, holder, windowStartedBefore, now)
            return try (0..<rows.rowCount).map { r in
                let push = try Self.pushState(rows, r, from: 17)
                return LongConnectionStream(
                    streamID: rows.text(r, 0), botID: rows.text(r, 1), reqID: rows.text(r, 2), aibotID: rows.text(r, 3),
                    msgID: rows.text(r, 4), chatID: rows.optionalText(r, 5), chatType: rows.optionalText(r, 6),
                    userID: rows.text(r, 7), state: try StreamState(stored: rows.text(r, 8)), content: rows.text(r, 9),
                    finished: rows.int64(r, 10) != 0, error: rows.optionalText(r, 11), imageCount: Int(rows.int64(r, 12)),
                    createdAt: rows.int64(r, 13), updatedAt: rows.int64(r, 14),
                    version: SnapshotVersion(storedUpdatedAt: rows.int64(r, 15), contentBytes: Int(rows.int64(r, 16))),
                    push: push)
            }
        }
    }

    /// Reads `phase, first_frame_at, pushed_updated_at, pushed_bytes, fallback, follow_ups_sent,
    /// push_seq` of row `r` from column `first` on.
    static func pushState(_ rows: PostgresResult, _ r: Int, from first: Int) throws -> PushState {
        let pushed = rows.isNull(r, first + 2) ? nil
            : SnapshotVersion(storedUpdatedAt: rows.int64(r, first + 2), contentBytes: Int(rows.int64(r, first + 3)))
        return PushState(phase: try PushPhase(stored: rows.text(r, first)), firstFrameAt: rows.optionalInt64(r, first + 1),
                         pushed: pushed, fallback: rows.int64(r, first + 4) != 0,
                         followUpsSent: Int(rows.int64(r, first + 5)), seq: rows.int64(r, first + 6))
    }

    /// One UPDATE, compare-and-set on `push_seq`, while the caller holds the bot. Not repeatable:
    /// after a lost connection the caller cannot know whether it committed.
    public func recordPush(streamID: String, holder: String, expectedSeq: Int64, update: PushUpdate, now: Int64) throws
        -> Bool {
        let dbNow = clock.now("$4")
        let sql = """
            UPDATE ws_streams w SET phase = $5,
              first_frame_at = CASE WHEN $6 = 1 AND w.first_frame_at IS NULL THEN \(dbNow) ELSE w.first_frame_at END,
              pushed_updated_at = coalesce($7, w.pushed_updated_at),
              pushed_bytes = CASE WHEN $7 IS NULL THEN w.pushed_bytes ELSE $8 END,
              fallback = $9, follow_ups_sent = $10, push_seq = w.push_seq + 1, updated_at = \(dbNow)
            WHERE w.stream_id = $1 AND w.push_seq = $3
              AND EXISTS (SELECT 1 FROM ws_connections c WHERE c.botid = w.botid AND c.holder = $2)
            """
        return try write {
            try connection.query(sql, streamID, holder, expectedSeq, now, update.phase.rawValue, update.frameSent ? 1 : 0,
                                 update.pushed?.storedUpdatedAt, update.pushed?.contentBytes, update.fallback ? 1 : 0,
                                 update.followUpsSent).changedRows > 0
        }
    }
}
