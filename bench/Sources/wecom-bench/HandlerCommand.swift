import ArgumentParser
import BotConfig
import CallbackHandler
import Foundation
import Logging
import SQLiteStore

/// The callback handler's own cost per path, in this process: no nginx, no FastCGI, no log
/// line. The pre-signed request files of `requests` are replayed against a copy of `--db`;
/// prints µs of CPU per request (getrusage) next to what the transport adds in `make bench`.
struct HandlerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handler", abstract: "CPU µs per request of CallbackHandler.handle by path (no transport).")

    @Option(help: "SQLite template (the backlog and the open streams, from `requests`); copied, never written.") var db: String
    @Option(help: "Folder with refresh.txt, verify.txt, messages.txt.") var requests: String
    @Option(help: "The bot's token.") var token: String
    @Option(help: "The bot's EncodingAESKey.") var key: String
    @Option(help: "Requests timed per path.") var count = 20_000
    @Option(parsing: .upToNextOption, help: "Paths to time: refresh, verify, message.") var paths = ["refresh", "verify", "message"]

    func run() throws {
        let scratch = NSTemporaryDirectory() + "wecom-bench-handler-\(getpid()).sqlite3"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) } }
        try FileManager.default.copyItem(atPath: db, toPath: scratch)
        let store = try SQLiteStore(path: scratch, autoCheckpointPages: 8192)
        defer { store.close() }
        let config = try Configuration(values: ["WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key])
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let handler = CallbackHandler(configuration: config, store: store, jobSignal: nil, logger: logger)
        print("| path | requests | CPU µs/request | non-200 |\n|---|---:|---:|---:|")
        let all = [("refresh", "stream refresh", "refresh.txt"), ("verify", "URL verification", "verify.txt"),
                   ("message", "new message", "messages.txt")]
        for (key, name, file) in all where paths.contains(key) {
            let all = try Self.load(requests + "/" + file)
            let timed = file == "messages.txt" ? Array(all.prefix(count)) : (0..<count).map { all[$0 % all.count] }
            for request in timed.prefix(200) where file != "messages.txt" { _ = handler.handle(request) }  // warm-up
            let before = Self.cpuSeconds()
            var failures = 0
            for request in timed where handler.handle(request).status != 200 { failures += 1 }
            let micros = (Self.cpuSeconds() - before) / Double(max(1, timed.count)) * 1e6
            print("| \(name) | \(timed.count) | \(String(format: "%.1f", micros)) | \(failures) |")
        }
    }

    /// `METHOD<TAB>TARGET<TAB>BODY` lines as handler requests (path after /wecom/callback).
    static func load(_ path: String) throws -> [CallbackRequest] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            let target = parts[1].split(separator: "?", maxSplits: 1)
            return CallbackRequest(method: String(parts[0]), path: String(target[0].dropFirst("/wecom/callback".count)),
                                   query: target.count > 1 ? String(target[1]) : "",
                                   body: parts.count > 2 ? Array(parts[2].utf8) : [])
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
