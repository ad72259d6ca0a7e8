import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// Issue 17: the operator commands give the same results on PostgreSQL as on SQLite. One script
/// of `wecomctl` commands (and SQL reads of what they changed) runs against the same rows on a
/// fresh store of each backend, and the two transcripts must match line for line once the
/// database's name and schema version (each backend counts its own migrations) are set aside.
///
/// Times are compared apart from the text, and may be two seconds apart: the two backends run a
/// step a moment apart, and on PostgreSQL a time is the database's shown on the host's clock,
/// the two clocks read a moment apart too.
@Suite struct WecomctlBackendTests {
    /// What one command printed, or what one SQL read returned.
    struct Step {
        var command: String
        var status: Int32
        var stdout: String
        var stderr: String
        /// A last line that names the backend's own mechanism, set aside (purge's space reclaim).
        var backendLine: String?
    }

    /// A fresh store of one backend and the steps run on it so far.
    final class Session {
        let database: StackDatabase
        let ctl: WecomctlRunner
        private let scratch: String
        var steps: [Step] = []

        init(_ backend: Backend) throws {
            scratch = try TestPaths.scratch()
            database = try StackDatabase(backend, folder: scratch)
            ctl = WecomctlRunner(directory: scratch, database: database.sqlitePath, extra: database.environment)
        }

        deinit {
            database.drop()
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }

    /// Both backends in lockstep: each step runs on SQLite, then at once on PostgreSQL, so that
    /// times taken from "now" (a purge's cutoff, a retried job's run time) are a moment apart.
    final class Sessions {
        let all: [Session]

        init() throws { all = try Backend.allCases.map(Session.init) }

        /// Runs `wecomctl arguments` on each; with `backendLine`, the last line of the output
        /// is set aside.
        func run(_ arguments: String..., backendLine: Bool = false) throws {
            for session in all {
                let result = try session.ctl.start(arguments).wait()
                var step = Step(command: arguments.joined(separator: " "), status: result.status, stdout: result.stdout,
                                stderr: result.stderr)
                if backendLine {
                    var lines = step.stdout.split(separator: "\n", omittingEmptySubsequences: false)
                    if lines.last == "" { lines.removeLast() }
                    step.backendLine = lines.popLast().map(String.init)
                    step.stdout = lines.joined(separator: "\n")
                }
                session.steps.append(step)
            }
        }

        /// Reads with SQL (in each backend's dialect) and records the rows under `label`.
        func read(_ label: String, _ sql: (Backend) -> String) throws {
            for session in all {
                let rows = try session.database.query(sql(session.database.backend))
                session.steps.append(Step(command: "read " + label, status: 0, stdout: rows, stderr: ""))
            }
        }

        /// Writes `rows` with SQL into each.
        func write(_ rows: OperatorRows) throws {
            for session in all { try rows.write(to: session.database) }
        }
    }

    /// Runs `script` on both backends and compares the transcripts step by step; returns the
    /// SQLite transcript, for checks that the script did what it meant to.
    @discardableResult
    func expectSameResults(_ script: (Sessions) throws -> Void) throws -> [Step] {
        let sessions = try Sessions()
        try script(sessions)
        let (sqlite, postgres) = (sessions.all[0], sessions.all[1])
        #expect(sqlite.steps.count == postgres.steps.count)
        let sqliteNames = try Self.names(sqlite), postgresNames = try Self.names(postgres)
        for (a, b) in zip(sqlite.steps, postgres.steps) {
            #expect(a.command == b.command)
            #expect(a.status == b.status, "\(a.command)")
            for (x, y) in [(a.stdout, b.stdout), (a.stderr, b.stderr)] {
                let left = Self.normalized(x, names: sqliteNames), right = Self.normalized(y, names: postgresNames)
                #expect(left.text == right.text, "\(a.command)")
                #expect(left.times.count == right.times.count
                        && zip(left.times, right.times).allSatisfy { abs($0 - $1) <= 2 },
                        "\(a.command): times \(left.times) and \(right.times)")
            }
        }
        return sqlite.steps
    }

    /// The database's name and schema version as `init` printed them (the session's first step).
    static func names(_ session: Session) throws -> (location: String, version: String) {
        let output = try #require(session.steps.first { $0.command == "init" }?.stdout)
        let location = try #require(output.firstMatch(of: /database: (.+)\n/)?.1)
        let version = try #require(output.firstMatch(of: /schema version: (\d+)/)?.1)
        return (String(location), String(version))
    }

    /// `text` with the database's name and schema version replaced, and every time taken out
    /// (local times and the JSON `now` in unix seconds, waiting ages in seconds).
    static func normalized(_ text: String, names: (location: String, version: String)) -> (text: String, times: [Int64]) {
        var times: [Int64] = []
        var out = text.replacingOccurrences(of: names.location, with: "<database>")
            .replacingOccurrences(of: "(schema \(names.version))", with: "(schema <version>)")
            .replacingOccurrences(of: "schema version: \(names.version)", with: "schema version: <version>")
            .replacingOccurrences(of: "\"schema_version\":\(names.version)", with: "\"schema_version\":<version>")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss Z"
        out = out.replacing(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}/) { match in
            times.append(Int64(formatter.date(from: String(match.output))?.timeIntervalSince1970 ?? -1))
            return "<time>"
        }
        out = out.replacing(/"now":(\d+)/) { match in
            times.append(Int64(match.output.1) ?? -1)
            return "\"now\":<now>"
        }
        // Waiting ages, in seconds: they differ as the times they are measured from do.
        out = out.replacing(/"oldest_queued_age_seconds":(\d+)/) { match in
            times.append(Int64(match.output.1) ?? -1)
            return "\"oldest_queued_age_seconds\":<age>"
        }
        out = out.replacing(/oldest waiting (\d+) min (\d+) s/) { match in
            times.append(60 * (Int64(match.output.1) ?? 0) + (Int64(match.output.2) ?? 0))
            return "oldest waiting <age>"
        }
        return (out, times)
    }

    /// The queue in every state, written with SQL in the order the services would have written
    /// it (oldest first): status, jobs, streams, retry and purge read it.
    static func queueRows(now: Int64) -> OperatorRows {
        var rows = OperatorRows()
        let old = now - 10 * 86400
        rows.stream("old-done", state: "finished", created: old, finishedAt: old + 5, images: 2,
                    job: .init(state: "done", runAt: old, finishedAt: old + 5))
        rows.stream("old-dead", state: "failed", created: old, finishedAt: old + 9,
                    job: .init(state: "dead", runAt: old, finishedAt: old + 9, lastError: "media: HTTP 404"))
        rows.stream("old-queued", state: "pending", created: old, job: .init(state: "queued", runAt: old))
        rows.stream("old-running", state: "finished", created: old, finishedAt: old + 330,
                    job: .init(state: "running", runAt: old, leaseUntil: now + 100_000))
        rows.stream("q1", state: "pending", created: now - 300, job: .init(state: "queued", attempts: 0, runAt: now - 300))
        rows.stream("q2", state: "pending", created: now - 100, job: .init(state: "queued", runAt: now + 100_000))
        rows.stream("r1", state: "streaming", created: now - 90, job: .init(state: "running", runAt: now - 90, leaseUntil: now - 50))
        rows.stream("r2", state: "streaming", created: now - 80, content: "半个回答",
                    job: .init(state: "running", runAt: now - 80, leaseUntil: now + 100_000))
        rows.stream("d1", state: "finished", created: now - 70, finishedAt: now - 60, content: String(repeating: "长", count: 250),
                    responseURL: "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRETCODE", images: 2,
                    job: .init(state: "done", runAt: now - 70, finishedAt: now - 60))
        for n in 1...2 {
            rows.stream("x\(n)", state: "failed", created: now - 50, finishedAt: now - 40, content: "抱歉，出错了",
                        error: "dify: HTTP 500", images: 1,
                        job: .init(state: "dead", attempts: 3, runAt: now - 50, finishedAt: now - 40, lastError: "dify: HTTP 500"))
        }
        return rows
    }

    @Test func statusStreamsJobsPurgeAndRetryMatch() throws {
        let rows = Self.queueRows(now: Int64(Date().timeIntervalSince1970))
        let streams = ["q1", "q2", "r1", "r2", "d1", "x1", "x2", "old-done", "old-dead", "old-queued", "old-running"]
        let steps = try expectSameResults { s in
            try s.run("init")
            try s.write(rows)
            try s.run("status")
            try s.run("status", "--json")
            try s.run("jobs", "list")
            try s.run("jobs", "list", "--limit", "3")
            for state in ["queued", "running", "done", "dead"] { try s.run("jobs", "list", "--state", state) }
            for id in streams + ["nope"] { try s.run("streams", "show", id) }

            try s.run("purge", "--older-than", "7d", "--batch", "1", backendLine: true)
            try s.read("streams") { "SELECT " + $0.joined("id", separator: ",") + " FROM (SELECT id FROM streams ORDER BY id) s" }
            try s.read("counts") { _ in
                "SELECT (SELECT count(*) FROM messages) || ' ' || (SELECT count(*) FROM jobs) || ' ' || "
                    + "(SELECT count(*) FROM stream_images)"
            }
            try s.run("purge", "--older-than", "7d", backendLine: true)

            // Done and dead jobs are queued again, the others refused (two were purged).
            for id in 1...streams.count + 1 { try s.run("jobs", "retry", String(id)) }
            try s.run("jobs", "retry", "x")
            try s.read("jobs") {
                "SELECT " + $0.joined("stream_id || ':' || state || ':' || attempts || ':' || coalesce(lease_owner, '-') || ':' "
                                      + "|| coalesce(last_error, '-')", separator: ",") + " FROM (SELECT * FROM jobs ORDER BY id) j"
            }
            try s.read("streams") {
                "SELECT " + $0.joined("id || ':' || state || ':' || finished || ':' || coalesce(error, '-') || ':' || content",
                                      separator: ",") + " FROM (SELECT * FROM streams ORDER BY id) s"
            }
            try s.read("images") { _ in "SELECT count(*) FROM stream_images" }
            try s.run("status")
            try s.run("jobs", "list", "--state", "queued")
        }
        let status = try #require(steps.first { $0.command == "status --json" })
        #expect(status.stdout.contains(#""jobs":{"dead":3,"done":2,"queued":3,"running":3}"#))
        #expect(steps.filter { $0.command.hasPrefix("jobs retry") && $0.status == 0 }.count == 3)
        #expect(steps.filter { $0.command.hasPrefix("purge") }.map(\.backendLine).allSatisfy { $0?.isEmpty == false })
    }

    @Test func botsAndAgentsMatch() throws {
        let token = "tok" + SecureRandom.alphanumeric(20), key = EncodingAESKeyGenerator.make()
        let apiKey = "app-" + SecureRandom.alphanumeric(24)
        let steps = try expectSameResults { s in
            try s.run("init")
            try s.run("bots", "list")
            try s.run("agents", "list")
            try s.run("bots", "add", "aibOPS", "--token", token, "--aes-key", key, "--agent", "sales", "--name", "@销售助手")
            try s.run("bots", "add", "aibOPS", "--token", token + "2", "--aes-key", key)
            try s.run("bots", "add", "aibTWO", "--token", token, "--aes-key", key, "--receive-id", "wwCORP")
            try s.run("bots", "list")
            try s.read("bots") {
                "SELECT " + $0.joined("botid || '|' || token || '|' || coalesce(agent, '-') || '|' || coalesce(bot_name, '-') "
                                      + "|| '|' || receive_id", separator: ",") + " FROM (SELECT * FROM bots ORDER BY botid) b"
            }
            try s.run("agents", "add", "sales", "--name", "销售助手", "--base-url", "http://dify.internal/v1/",
                      "--api-key", apiKey, "--welcome", "你好，我是销售助手", "--bot-name", "@小助手")
            try s.run("agents", "add", "other", "--name", "销售助手", "--base-url", "http://x/v1", "--api-key", "k")
            try s.run("agents", "add", "support", "--name", "客服", "--base-url", "https://dify.example.com/v1", "--api-key", "k2")
            try s.run("agents", "list")
            try s.read("agents") {
                "SELECT " + $0.joined("id || '|' || name || '|' || dify_base_url || '|' || dify_api_key || '|' "
                                      + "|| coalesce(welcome_text, '-') || '|' || coalesce(bot_name, '-')", separator: ",")
                    + " FROM (SELECT * FROM agents ORDER BY id) a"
            }
            try s.run("agents", "remove", "销售助手")
            try s.run("agents", "remove", "sales")
            try s.run("bots", "remove", "aibOPS")
            try s.run("bots", "remove", "aibOPS")
            try s.run("bots", "list")
            try s.run("agents", "list")
        }
        #expect(steps.filter { $0.status != 0 }.map(\.command)
                == ["agents add other --name 销售助手 --base-url http://x/v1 --api-key k", "agents remove sales", "bots remove aibOPS"])
        #expect(!steps.contains { $0.command.hasPrefix("bots") && ($0.stdout + $0.stderr).contains(token) })
    }
}
