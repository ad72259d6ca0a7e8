import Foundation
import StoreTestSupport
import Testing

/// Issue 19: `wecomctl status` follows real `wecom-worker` processes by their heartbeats, on
/// either backend: a running worker is live, a killed one turns silent and, with a message
/// queued, the "no worker alive" warning appears; a worker stopped cleanly leaves no row.
@Suite(.serialized) struct WorkerHeartbeatProcessTests {
    /// One worker of `status --json`.
    struct Seen {
        var pid: Int32
        var live: Bool
        var busy: Int
        var concurrency: Int
    }

    /// `status --json`'s workers and warnings.
    static func status(_ ctl: WecomctlRunner) throws -> (workers: [Seen], warnings: [String]) {
        let result = try ctl.run("status", "--json")
        guard result.status == 0,
              let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let workers = json["workers"] as? [[String: Any]], let warnings = json["warnings"] as? [String] else {
            throw FixtureError("status --json: \(result.all)")
        }
        return (workers.map { worker in
            Seen(pid: Int32(worker["pid"] as? Int ?? 0), live: worker["live"] as? Bool ?? false,
                 busy: worker["busy"] as? Int ?? -1, concurrency: worker["concurrency"] as? Int ?? 0)
        }, warnings)
    }

    /// Polls `status --json` until `condition` holds for the worker `pid` (nil: it has no row).
    static func waitForWorker(_ ctl: WecomctlRunner, pid: Int32, _ what: String, _ condition: (Seen?) -> Bool) throws {
        try waitUntil(timeout: 30, interval: 0.1, "worker \(pid) \(what)") {
            guard let seen = try? status(ctl).workers else { return false }
            return condition(seen.first { $0.pid == pid })
        }
    }

    @Test(arguments: Backend.allCases) func statusFollowsWorkersByTheirHeartbeats(_ backend: Backend) throws {
        let s = try AnswerStack(workers: 0, environment: ["WECOM_WORKER_HEARTBEAT": "0.5"], backend: backend)
        defer { s.stop() }
        s.dify.defaultScript = .answer(text: "在的")
        let ctl = WecomctlRunner(directory: s.stack.scratch, database: s.stack.databasePath, extra: s.stack.environment)

        let killed = try s.stack.startWorker(concurrency: 3)
        try Self.waitForWorker(ctl, pid: killed.pid, "live") { $0?.live == true }
        let live = try #require(try Self.status(ctl).workers.first { $0.pid == killed.pid })
        #expect(live.concurrency == 3 && live.busy == 0)
        let host = ProcessInfo.processInfo.hostName
        let row = WecomctlTests.row(try ctl.run("status").stdout, host)?.prefix(3).map(String.init)
        #expect(row == [host, String(killed.pid), "live"])

        killed.stop(signal: SIGKILL)
        try Self.waitForWorker(ctl, pid: killed.pid, "silent") { $0?.live == false }
        #expect(try Self.status(ctl).warnings.isEmpty, "nothing is queued")

        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "hb-1", content: "有人吗"))
        let warned = try Self.status(ctl)
        #expect(warned.warnings == ["warning: 1 job is queued but no worker is alive (every wecom-worker of this "
                                    + "database is silent): start one with the same database (systemd: wecom-worker@1), "
                                    + "or see in its log why it stopped"])
        let text = try ctl.run("status").stdout
        #expect(text.hasSuffix(warned.warnings[0] + "\n"))
        #expect(WecomctlTests.row(text, host)?.prefix(3).map(String.init) == [host, String(killed.pid), "silent"])

        // A new worker answers the queued message; stopped cleanly, it deletes its row.
        let stopped = try s.stack.startWorker()
        #expect(try s.wecom.final(streamID: streamID)["content"] as? String == "在的")
        try Self.waitForWorker(ctl, pid: stopped.pid, "live") { $0?.live == true }
        #expect(try Self.status(ctl).warnings.isEmpty)
        #expect(stopped.stop() == 0)
        let after = try Self.status(ctl).workers
        #expect(!after.contains { $0.pid == stopped.pid }, "a clean stop deletes the row")
        #expect(after.map(\.pid) == [killed.pid], "the killed worker stays, silent")
    }
}
