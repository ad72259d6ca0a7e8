import Foundation
import Testing

/// `/healthz` of a process on a SQLite file, as the file is moved away (a lost volume, an
/// operator's `mv`) and back.
enum HealthProbe {
    /// Expects 200 `ok`, then 503 with the one-line reason while the file is away, then 200
    /// again once it is back.
    static func expectHealthFollowsTheDatabaseFile(port: Int, databasePath: String) throws {
        var answer: HTTPResponse?
        try waitUntil("200 from /healthz") {
            answer = try? HTTPClient.request(port: port, method: "GET", target: "/healthz")
            return answer?.status == 200
        }
        #expect(answer?.text == "ok\n")
        let away = databasePath + ".away"
        try FileManager.default.moveItem(atPath: databasePath, toPath: away)
        try waitUntil("503 from /healthz") {
            answer = try? HTTPClient.request(port: port, method: "GET", target: "/healthz")
            return answer?.status == 503
        }
        let reason = answer?.text ?? ""
        #expect(reason.hasPrefix("store unavailable: no database at /") && reason.hasSuffix("/bot.sqlite3\n"), "\(reason)")
        #expect(reason.split(separator: "\n").count == 1)
        try FileManager.default.moveItem(atPath: away, toPath: databasePath)
        try waitUntil("200 from /healthz") {
            (try? HTTPClient.request(port: port, method: "GET", target: "/healthz"))?.status == 200
        }
    }

    /// On PostgreSQL: 200, then 503 with the one-line reason while an operator's `psql` holds
    /// `LOCK TABLE table` (which the process's health read waits for: `bots` for a responder,
    /// `jobs` for a worker), then 200 again after `ROLLBACK`.
    static func expectHealthFollowsALockedTable(port: Int, database: StackDatabase, scratch: String,
                                                table: String = "bots") throws {
        try waitUntil("200 from /healthz") {
            (try? HTTPClient.request(port: port, method: "GET", target: "/healthz"))?.status == 200
        }
        let name = (database.schema ?? "") + "-health-psql"
        let shell = try OperatorShell(psql: database, applicationName: name, logPath: scratch + "/health-psql.log")
        defer { shell.stop() }
        shell.send("BEGIN;")
        shell.send("LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE;")
        try waitUntil(timeout: 30, "the operator's lock") {
            (try? database.lockedTables([table], mode: "AccessExclusiveLock", by: name)) == 1
        }
        var answer: HTTPResponse?
        try waitUntil(timeout: 30, "503 from /healthz") {
            answer = try? HTTPClient.request(port: port, method: "GET", target: "/healthz")
            return answer?.status == 503
        }
        let reason = answer?.text ?? ""
        #expect(reason.hasPrefix("store unavailable: ") && reason.contains("lock"), "\(reason)")
        #expect(reason.split(separator: "\n").count == 1)
        shell.send("ROLLBACK;")
        try waitUntil(timeout: 30, "200 from /healthz") {
            (try? HTTPClient.request(port: port, method: "GET", target: "/healthz"))?.status == 200
        }
    }
}
