/// Version 1: the tables and indexes as the first release created them.
enum Migration1CreateTables {
    static let migration = Schema.Migration(version: 1, sql: """
        CREATE TABLE bots(botid TEXT PRIMARY KEY, token TEXT NOT NULL, encoding_aes_key TEXT NOT NULL,
          receive_id TEXT NOT NULL DEFAULT '', agent TEXT, bot_name TEXT, created_at INTEGER NOT NULL);
        CREATE TABLE agents(id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, dify_base_url TEXT NOT NULL,
          dify_api_key TEXT NOT NULL, welcome_text TEXT, bot_name TEXT, created_at INTEGER NOT NULL);
        CREATE TABLE streams(id TEXT PRIMARY KEY, botid TEXT NOT NULL, aibotid TEXT NOT NULL, msgid TEXT NOT NULL,
          msgtype TEXT NOT NULL, chatid TEXT, chattype TEXT, userid TEXT NOT NULL, agent TEXT,
          state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','streaming','finished','failed')),
          content TEXT NOT NULL DEFAULT '', finished INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0,1)),
          error TEXT, response_url TEXT, response_posted_at INTEGER,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER);
        CREATE INDEX streams_created ON streams(created_at);
        CREATE TABLE messages(aibotid TEXT NOT NULL, msgid TEXT NOT NULL, botid TEXT NOT NULL, msgtype TEXT NOT NULL,
          stream_id TEXT REFERENCES streams(id) ON DELETE CASCADE, created_at INTEGER NOT NULL,
          PRIMARY KEY (aibotid, msgid)) WITHOUT ROWID;
        CREATE INDEX messages_created ON messages(created_at);
        CREATE TABLE stream_images(stream_id TEXT NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
          position INTEGER NOT NULL, md5 TEXT NOT NULL, bytes INTEGER NOT NULL, data BLOB NOT NULL,
          PRIMARY KEY (stream_id, position)) WITHOUT ROWID;
        CREATE TABLE jobs(id INTEGER PRIMARY KEY, stream_id TEXT NOT NULL UNIQUE REFERENCES streams(id) ON DELETE CASCADE,
          state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done','dead')),
          payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 3,
          run_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER, last_error TEXT,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER);
        CREATE INDEX jobs_ready ON jobs(run_at) WHERE state = 'queued';
        CREATE INDEX jobs_leases ON jobs(lease_until) WHERE state = 'running';
        CREATE TABLE conversations(botid TEXT NOT NULL, agent TEXT NOT NULL, chat TEXT NOT NULL, userid TEXT NOT NULL,
          conversation_id TEXT NOT NULL, updated_at INTEGER NOT NULL,
          PRIMARY KEY (botid, agent, chat, userid)) WITHOUT ROWID;
        CREATE TABLE feedback(id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('feedback','template_card')), botid TEXT NOT NULL,
          aibotid TEXT NOT NULL, msgid TEXT NOT NULL, userid TEXT NOT NULL, reference TEXT, rating INTEGER,
          detail TEXT, payload TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (aibotid, msgid));
        """)
}
