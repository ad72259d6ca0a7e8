import ArgumentParser
import BotStore
import Foundation
import SQLiteStore
import WeComCrypto

/// Writes the pre-signed request files that bench/requests.lua cycles through, one request per
/// line: `METHOD<TAB>TARGET<TAB>BODY`. Refresh polls need open streams: they are created in
/// `--db` (a template the benchmark copies for every round).
struct RequestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Create open streams in --db and write pre-signed request files to --out.")

    @Option(help: "SQLite file to create the open streams in.") var db: String
    @Option(help: "Folder for refresh.txt, verify.txt, messages.txt, paced-messages.txt.") var out: String
    @Option(help: "The bot's token.") var token: String
    @Option(help: "The bot's EncodingAESKey.") var key: String
    @Option(help: "The <botid> of /wecom/callback/<botid>.") var bot = "bench"
    @Option(help: "Open streams (one refresh request each).") var streams = 2000
    @Option(help: "URL verifications.") var verifications = 2000
    @Option(help: "New messages for the saturation runs (unique msgids; never cycled past).") var messages = 60000
    @Option(help: "New messages for the fixed-rate runs.") var pacedMessages = 25000

    func run() throws {
        let signer = try Signer(token: token, key: key, botID: bot)
        let store = try SQLiteStore(path: db)
        defer { store.close() }
        try store.migrate()
        let now = Int64(Date().timeIntervalSince1970)
        // A half-written answer of about 1 KB: what a refresh typically returns.
        let partial = String(repeating: "这是一个正在生成的回答，", count: 28)
        var refresh: [String] = []
        for i in 0..<streams {
            let json = Signer.text(msgID: "bench-open-\(i)", content: "问题 \(i)")
            let accepted = try store.acceptMessage(NewMessage(
                botID: bot, aibotID: "aibBENCH", msgID: "bench-open-\(i)", msgType: "text", chatID: nil,
                chatType: "single", userID: "bench", agent: nil, proposedStreamID: "s" + SecureRandom.alphanumeric(23),
                initialContent: "", responseURL: nil, payload: JobPayload.encode(message: Array(json.utf8), text: "问题 \(i)")),
                now: now)
            try store.updateStream(id: accepted.stream.id, content: partial, now: now)
            refresh.append(try line("POST", signer.post(Signer.refresh(streamID: accepted.stream.id))))
        }
        try write(refresh, to: "refresh.txt")
        try write((0..<verifications).map { _ in try line("GET", (signer.verification().target, "")) }, to: "verify.txt")
        for (name, count) in [("messages", messages), ("paced-messages", pacedMessages)] {
            let tag = SecureRandom.alphanumeric(6)
            try write((0..<count).map { i in
                try line("POST", signer.post(Signer.text(msgID: "bench-\(tag)-\(i)", content: "你好，第 \(i) 个问题")))
            }, to: name + ".txt")
        }
    }

    private func line(_ method: String, _ request: (target: String, body: String)) throws -> String {
        "\(method)\t\(request.target)\t\(request.body)"
    }

    private func write(_ lines: [String], to name: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: out + "/" + name, atomically: false, encoding: .utf8)
    }
}
