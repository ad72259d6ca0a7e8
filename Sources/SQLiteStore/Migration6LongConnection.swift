/// Version 6: long-connection mode (docs/architecture.md §9.2).
///
/// - `bots.ws_secret`: the bot's long-connection secret; NULL for a callback-mode bot. A bot may
///   be long-connection only: its `token` and `encoding_aes_key` are then empty.
/// - `ws_connections`: one row per long-connection bot, the lease that gives its one connection
///   to one `wecom-ws` process (`holder`, `lease_until`), what that process reports
///   (`connected` since `since`, `last_error`) and the taken-over mark (`taken_over_at`).
/// - `ws_streams`: for a stream opened by a long-connection frame, that frame's `req_id` and what
///   has been pushed (`phase`, `first_frame_at`, the pushed snapshot's `pushed_updated_at` and
///   `pushed_bytes`, `fallback`, `follow_ups_sent`, `push_seq`). Deleting a stream deletes its
///   row (foreign key). A callback message writes nothing here. `ws_streams_pending` holds the
///   rows still to be pushed.
/// - `outbound_messages`: messages the bot sends first, queued by `wecomctl send`.
enum Migration6LongConnection {
    static let migration = Schema.Migration(version: 6, sql: """
        ALTER TABLE bots ADD COLUMN ws_secret TEXT;
        CREATE TABLE ws_connections(botid TEXT PRIMARY KEY, holder TEXT, lease_until INTEGER,
          connected INTEGER NOT NULL DEFAULT 0 CHECK (connected = 0 OR connected = 1), since INTEGER,
          last_error TEXT, last_error_at INTEGER, taken_over_at INTEGER, updated_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE ws_streams(stream_id TEXT PRIMARY KEY REFERENCES streams(id) ON DELETE CASCADE,
          botid TEXT NOT NULL, req_id TEXT NOT NULL,
          phase TEXT NOT NULL DEFAULT 'streaming' CHECK (phase = 'streaming' OR phase = 'ended' OR phase = 'delivered'),
          first_frame_at INTEGER, pushed_updated_at INTEGER, pushed_bytes INTEGER,
          fallback INTEGER NOT NULL DEFAULT 0 CHECK (fallback = 0 OR fallback = 1),
          follow_ups_sent INTEGER NOT NULL DEFAULT 0, push_seq INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX ws_streams_pending ON ws_streams(botid) WHERE phase <> 'delivered';
        CREATE TABLE outbound_messages(id INTEGER PRIMARY KEY, botid TEXT NOT NULL,
          chat_type INTEGER NOT NULL CHECK (chat_type = 1 OR chat_type = 2), chatid TEXT NOT NULL,
          msgtype TEXT NOT NULL DEFAULT 'markdown', content TEXT NOT NULL,
          state TEXT NOT NULL DEFAULT 'queued'
            CHECK (state = 'queued' OR state = 'sending' OR state = 'sent' OR state = 'failed' OR state = 'cancelled'),
          holder TEXT, claim_until INTEGER, errcode INTEGER, errmsg TEXT,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER);
        CREATE INDEX outbound_pending ON outbound_messages(botid, state) WHERE state = 'queued' OR state = 'sending';
        """)
}
