import BotStore
import Foundation
import PostgresStore
import SQLiteStore

/// Days of past traffic written into a new database, row for row what the service leaves behind
/// once a message was answered: the msgid's dedupe row, the finished stream holding the answer
/// (or, for a few, the failure notice), the job `done` or `dead`, and one Dify conversation per
/// chat and user. A production database holds this, not an empty file: the msgid index a new
/// message is inserted into at a random place is as deep as a million msgids make it.
///
/// The accept path would take hours for a million messages (a commit each); this writes them in
/// one transaction of multi-row INSERTs per database (``BacklogDatabase``: on SQLite with the
/// journal off). The rows are drawn once and every statement goes to each database, so a SQLite
/// file and a PostgreSQL schema built together hold the same rows.
struct Backlog {
    /// A finished stream WeCom may still poll once (the poll that sees `finish`).
    struct Finished {
        let streamID: String
        let userID: String
        let chatID: String?
    }

    static let rowsPerStatement = 400
    static let failureNotice = "抱歉，暂时无法连接 AI 服务，请稍后再试。"
    static let failureDetails = [
        "dify: unreachable(\"Failed to connect to dify.internal port 443: Connection refused\")",
        "dify: idleTimeout(seconds: 60.0)",
        "dify: http(status: 502, code: nil, message: \"Bad Gateway\")",
    ]

    /// Writes `messages` messages spread evenly over the `days` days before `now` (the newest ten
    /// minutes old) into each of `databases` and returns the newest `keepNewest` finished streams.
    static func build(into databases: [any BacklogDatabase], workload: inout Workload, messages: Int, days: Int,
                      now: Int64, keepNewest: Int) throws -> [Finished] {
        let end = now - 600
        let span = Int64(days) * 86_400
        let start = end - span
        var conversations: [String: (chatID: String, userID: String, at: Int64)] = [:]
        var newest: [Finished] = []
        func execute(_ sql: String) throws { for database in databases { try database.execute(sql) } }
        for database in databases { try database.beginBulkLoad() }
        var streams = Rows(table: "streams", columns: """
            id, botid, aibotid, msgid, msgtype, chatid, chattype, userid, agent, state, content, finished, error,
              response_url, created_at, updated_at, finished_at
            """)
        var dedupe = Rows(table: "messages", columns: "aibotid, msgid, botid, msgtype, stream_id, created_at")
        var jobs = Rows(table: "jobs", columns: """
            stream_id, state, payload, attempts, max_attempts, run_at, last_error, created_at, updated_at, finished_at
            """)
        for index in 0..<messages {
            let offset = span * 1_000_000 * Int64(index) / Int64(max(1, messages))
            let micros = start * 1_000_000 + offset
            let created = micros / 1_000_000
            let streamID = workload.streamID(microseconds: micros)
            let message = workload.message()
            let dead = workload.random.chance(0.02)
            let finished = created + (dead ? 95 : 2) + Int64(workload.random.next() % 40)
            let content = dead ? failureNotice : workload.answer()
            let error = dead ? failureDetails[Int(workload.random.next() % UInt64(failureDetails.count))] : nil
            streams.add([q(streamID), q(Workload.botID), q(Workload.aibotID), q(message.msgID), q(message.msgType),
                         q(message.chatID), q(message.chatType), q(message.userID), "NULL", q(dead ? "failed" : "finished"),
                         q(content), "1", q(error), q(message.responseURL), "\(created)", "\(finished)", "\(finished)"])
            dedupe.add([q(Workload.aibotID), q(message.msgID), q(Workload.botID), q(message.msgType), q(streamID), "\(created)"])
            let payload = JobPayload.encode(message: Array(message.json.utf8), text: message.userText)
            jobs.add([q(streamID), q(dead ? "dead" : "done"), q(payload), dead ? "3" : "1", "3",
                      "\(dead ? finished - 5 : created)", q(error), "\(created)", "\(finished)", "\(finished)"])
            if !dead {
                conversations[(message.chatID ?? "") + "\u{1}" + message.userID] = (message.chatID ?? "", message.userID, finished)
                if index >= messages - keepNewest * 2, newest.count < keepNewest {
                    newest.append(Finished(streamID: streamID, userID: message.userID, chatID: message.chatID))
                }
            }
            if streams.count == rowsPerStatement {
                for rows in [streams, dedupe, jobs] { try execute(rows.statement) }
                streams.clear(); dedupe.clear(); jobs.clear()
            }
        }
        for rows in [streams, dedupe, jobs] where rows.count > 0 { try execute(rows.statement) }
        var chats = Rows(table: "conversations", columns: "botid, agent, chat, userid, conversation_id, updated_at")
        for key in conversations.keys.sorted() {
            let conversation = conversations[key]!
            let id = [8, 4, 4, 4, 12].map { workload.random.string($0, from: Workload.hex) }.joined(separator: "-")
            chats.add([q(Workload.botID), q("default"), q(conversation.chatID), q(conversation.userID), q(id), "\(conversation.at)"])
            if chats.count == rowsPerStatement { try execute(chats.statement); chats.clear() }
        }
        if chats.count > 0 { try execute(chats.statement) }
        for database in databases { try database.endBulkLoad() }
        return newest
    }

    /// A SQL literal: the text quoted, or NULL.
    static func q(_ text: String?) -> String {
        guard let text else { return "NULL" }
        return "'" + (text.contains("'") ? text.replacingOccurrences(of: "'", with: "''") : text) + "'"
    }

    /// One multi-row INSERT being gathered.
    struct Rows {
        let head: String
        private(set) var count = 0
        private var values = ""

        init(table: String, columns: String) { head = "INSERT INTO \(table)(\(columns)) VALUES " }

        mutating func add(_ row: [String]) {
            values += (count == 0 ? "(" : ",(") + row.joined(separator: ",") + ")"
            count += 1
        }

        mutating func clear() { values = ""; count = 0 }

        var statement: String { head + values }
    }
}

/// A database the backlog is written into: plain SQL statements between `beginBulkLoad` and
/// `endBulkLoad`, which leave the database as the services expect it.
protocol BacklogDatabase {
    func execute(_ sql: String) throws
    func beginBulkLoad() throws
    func endBulkLoad() throws
}

extension SQLiteStore: BacklogDatabase {
    /// Without a journal nothing is written twice; the file is put back in WAL mode at the end.
    func beginBulkLoad() throws {
        try execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; BEGIN")
    }

    func endBulkLoad() throws {
        try execute("COMMIT; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -2000")
    }
}

extension PostgresStore: BacklogDatabase {
    /// Commits without waiting for the disk, for this set-up session only: the backlog's
    /// statements (each commits on its own: a call of the store never leaves a transaction
    /// open) and the open streams after them.
    func beginBulkLoad() throws {
        try execute("SET synchronous_commit = off")
    }

    /// Nothing: the open streams follow in the same session (see `RequestsCommand`).
    func endBulkLoad() throws {}
}
