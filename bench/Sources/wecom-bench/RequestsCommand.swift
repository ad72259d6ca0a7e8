import ArgumentParser
import BotStore
import Foundation
import PostgresStore
import SQLiteStore

/// Prepares the database template the benchmark copies for every configuration and writes the
/// pre-signed request files that bench/requests.lua cycles through, one request per line:
/// `METHOD<TAB>TARGET<TAB>BODY`. The template holds `--backlog` answered messages of the last
/// `--backlog-days` days and `--streams` open streams whose answers another worker is writing;
/// refresh polls go to those open streams and to the newest finished ones. With `--postgres` the
/// same rows also go into the PostgreSQL schema that `WECOM_DATABASE_URL` and `WECOM_PG_SCHEMA`
/// name (as for the services), so both backends serve the same request files.
struct RequestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Build the database template (--db) and write pre-signed request files to --out.")

    @Option(help: "SQLite file to create: the backlog and the open streams.") var db: String
    @Option(help: "Folder for refresh.txt, verify.txt, messages.txt, paced-messages.txt, counted-messages.txt.") var out: String
    @Option(help: "The bot's token.") var token: String
    @Option(help: "The bot's EncodingAESKey.") var key: String
    @Option(help: "Answered messages already in the database (with their streams, jobs, conversations).") var backlog = 0
    @Option(help: "Days the backlog spans.") var backlogDays = 7
    @Option(help: "Seed of the messages' contents (same seed, same backlog and requests).") var seed: UInt64 = 1
    @Option(help: "Open streams (polled by refresh requests).") var streams = 2000
    @Option(help: "Newest finished streams of the backlog also polled (WeCom's last poll of an answer).") var finishedPolls = 200
    @Option(help: "URL verifications.") var verifications = 2000
    @Option(help: "New messages for the saturation runs (unique msgids; never cycled past).") var messages = 60000
    @Option(help: "New messages for the fixed-rate runs.") var pacedMessages = 25000
    @Option(help: "New messages for the counted runs (callgrind, strace).") var countedMessages = 0
    @Flag(help: "Also build the same backlog and open streams into PostgreSQL (WECOM_DATABASE_URL, WECOM_PG_SCHEMA).")
    var postgres = false

    func run() throws {
        let signer = try Signer(token: token, key: key, botID: Workload.botID)
        var workload = Workload(seed: seed)
        let store = try SQLiteStore(path: db)
        defer { store.close() }
        try store.migrate()
        let server = postgres ? try Self.postgresStore() : nil
        defer { server?.close() }
        let stores: [any BotStore & BacklogDatabase] = [store] + (server.map { [$0] } ?? [])
        let now = Int64(Date().timeIntervalSince1970)
        let started = monotonic()
        let finished = try Backlog.build(into: stores, workload: &workload, messages: backlog, days: backlogDays, now: now,
                                         keepNewest: finishedPolls)
        log("requests: backlog of \(backlog) messages built in \(String(format: "%.0f", monotonic() - started)) s"
            + (postgres ? " (SQLite and PostgreSQL)" : ""))

        var polls: [String] = []
        for stream in finished {
            polls.append(workload.refresh(streamID: stream.streamID, userID: stream.userID, chatID: stream.chatID))
        }
        // Open streams through the accept path, each holding a half-written answer of about 1 KB
        // (what a refresh typically returns), their jobs leased by a worker elsewhere for a day,
        // so that the benchmark's own worker leaves them as they are.
        let partial = String(repeating: "这是一个正在生成的回答，", count: 28)
        for index in 0..<streams {
            let message = workload.message()
            let streamID = workload.streamID(microseconds: now * 1_000_000 + Int64(index))
            let new = NewMessage(
                botID: Workload.botID, aibotID: Workload.aibotID, msgID: message.msgID, msgType: message.msgType,
                chatID: message.chatID, chatType: message.chatType, userID: message.userID, agent: nil,
                proposedStreamID: streamID, initialContent: "", responseURL: message.responseURL,
                payload: JobPayload.encode(message: Array(message.json.utf8), text: message.userText))
            for store in stores {
                let accepted = try store.acceptMessage(new, now: now)
                try store.execute("""
                    UPDATE streams SET content = \(Backlog.q(partial)), updated_at = \(now), state = 'streaming'
                    WHERE id = \(Backlog.q(accepted.stream.id)) AND finished = 0
                    """)
            }
            polls.append(workload.refresh(streamID: streamID, userID: message.userID, chatID: message.chatID))
        }
        for store in stores {
            try store.execute("""
                UPDATE jobs SET state = 'running', attempts = 1, lease_owner = 'elsewhere:1:bench',
                  lease_until = \(now + 86_400), updated_at = \(now) WHERE state = 'queued'
                """)
        }
        // A database that has served for days has been vacuumed and analysed by autovacuum: done
        // here, so that autovacuum does not take the fresh rows on during the measurements, and
        // checkpointed, so that no write-back of the set-up runs during them either.
        if let server {
            let vacuumed = monotonic()
            try server.execute("VACUUM (ANALYZE)")
            try server.execute("CHECKPOINT")
            log("requests: PostgreSQL vacuumed, analysed and checkpointed in \(String(format: "%.0f", monotonic() - vacuumed)) s")
        }
        polls.shuffle(using: &workload.random)
        try write("refresh.txt", polls.count) { try line("POST", signer.post(polls[$0])) }
        try write("verify.txt", verifications) { _ in try line("GET", (signer.verification().target, "")) }
        for (name, count) in [("messages", messages), ("paced-messages", pacedMessages), ("counted-messages", countedMessages)]
        where count > 0 {
            try write(name + ".txt", count) { _ in try line("POST", signer.post(workload.message().json)) }
        }
    }

    /// The PostgreSQL schema the services' variables name, migrated.
    static func postgresStore() throws -> PostgresStore {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["WECOM_DATABASE_URL"] else { throw BenchError("--postgres needs WECOM_DATABASE_URL") }
        let store = try PostgresStore(settings: PostgresSettings(connectionString: url,
                                                                 schema: environment["WECOM_PG_SCHEMA"] ?? "wecom_bot"))
        try store.migrate()
        return store
    }

    private func line(_ method: String, _ request: (target: String, body: String)) throws -> String {
        "\(method)\t\(request.target)\t\(request.body)\n"
    }

    /// Writes `count` lines made by `make`, a few hundred at a time.
    private func write(_ name: String, _ count: Int, _ make: (Int) throws -> String) throws {
        let path = out + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw BenchError("cannot create \(path)") }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        var chunk = ""
        for index in 0..<count {
            chunk += try make(index)
            if chunk.utf8.count > 1 << 20 || index == count - 1 {
                try file.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
    }
}
