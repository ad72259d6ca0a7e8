import Foundation
import Testing

extension WecomctlTests {
    /// `status`, `streams show`, `jobs list|retry` and `purge` against rows written with sqlite3.
    @Suite struct Queue {
        let now = Int64(Date().timeIntervalSince1970)

        /// Runs `init`, writes `rows`, then `body`.
        func withRows(_ build: (inout OperatorRows) -> Void, _ body: (WecomctlRunner, String) throws -> Void) throws {
            try WecomctlTests.withScratch { ctl, database in
                #expect(try ctl.run("init").status == 0)
                var rows = OperatorRows()
                build(&rows)
                try rows.write(to: database)
                try body(ctl, database)
            }
        }

        @Test func statusCountsMatchTheRows() throws {
            try withRows({ rows in
                rows.stream("q1", state: "pending", created: now - 300, job: .init(state: "queued", attempts: 0, runAt: now - 300))
                rows.stream("q2", state: "pending", created: now - 100, job: .init(state: "queued", runAt: now + 100_000))
                rows.stream("r1", state: "streaming", created: now - 90,
                            job: .init(state: "running", runAt: now - 90, leaseUntil: now - 50))
                rows.stream("r2", state: "streaming", created: now - 80,
                            job: .init(state: "running", runAt: now - 80, leaseUntil: now + 100_000))
                rows.stream("d1", state: "finished", created: now - 70, finishedAt: now - 60,
                            job: .init(state: "done", runAt: now - 70, finishedAt: now - 60))
                for n in 1...3 {
                    rows.stream("x\(n)", state: "failed", created: now - 50, finishedAt: now - 40,
                                job: .init(state: "dead", runAt: now - 50, finishedAt: now - 40, lastError: "dify: HTTP 500"))
                }
            }) { ctl, database in
                let result = try ctl.run("status", "--json")
                #expect(result.status == 0)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                let at = try #require(json["now"] as? Int)
                #expect(json["jobs"] as? [String: Int] == ["queued": 2, "running": 2, "done": 1, "dead": 3])
                #expect(json["streams"] as? [String: Int] == ["pending": 2, "streaming": 2, "finished": 1, "failed": 3])
                #expect(json["oldest_queued_age_seconds"] as? Int == at - Int(now - 300))
                #expect(json["due_jobs"] as? Int == 1)
                #expect(json["dead_jobs"] as? Int == 3)
                #expect(json["expired_leases"] as? Int == 1)
                #expect(json["database"] as? String == database)

                let table = try ctl.run("status").stdout
                #expect(WecomctlTests.row(table, "queued")?.prefix(5) == ["queued", "2", "1", "due;", "oldest"])
                #expect(WecomctlTests.row(table, "running") == ["running", "2", "1", "with", "an", "expired", "lease"])
                #expect(WecomctlTests.row(table, "dead") == ["dead", "3", "see:", "wecomctl", "jobs", "list", "--state", "dead"])
                #expect(WecomctlTests.row(table, "failed") == ["failed", "3"])
            }
        }

        @Test func streamsShowGivesTheRowButNotTheResponseCode() throws {
            let answer = String(repeating: "长", count: 250)
            try withRows({ rows in
                rows.stream("s-show", state: "finished", created: now - 30, finishedAt: now - 20, content: answer,
                            responseURL: "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRETCODE",
                            images: 2, job: .init(state: "done", runAt: now - 30, finishedAt: now - 20))
            }) { ctl, _ in
                let shown = try ctl.run("streams", "show", "s-show")
                #expect(shown.status == 0)
                #expect(WecomctlTests.row(shown.stdout, "state") == ["state", "finished", "(finished)"])
                #expect(shown.stdout.contains("250 characters, 750 bytes"))
                #expect(shown.stdout.contains(String(repeating: "长", count: 200) + "…"))
                #expect(!shown.stdout.contains(String(repeating: "长", count: 201)))
                #expect(WecomctlTests.row(shown.stdout, "images") == ["images", "2"])
                #expect(shown.stdout.contains("https://qyapi.weixin.qq.com/cgi-bin/aibot/response (unused)"))
                #expect(shown.stdout.contains("done, attempt 1 of 3"))
                #expect(!shown.all.contains("SECRETCODE") && !shown.all.contains("response_code"))
                let missing = try ctl.run("streams", "show", "nope")
                #expect(missing.status == 1 && missing.stderrLines == ["wecomctl: no stream nope"])
            }
        }

        @Test func retryQueuesADeadJobAgainAndReopensItsStream() throws {
            try withRows({ rows in
                rows.stream("s-dead", state: "failed", created: now - 30, finishedAt: now - 20, content: "抱歉，出错了",
                            error: "dify: HTTP 500", images: 1,
                            job: .init(state: "dead", attempts: 3, runAt: now - 25, finishedAt: now - 20,
                                       lastError: "dify: HTTP 500"))
                rows.stream("s-busy", state: "streaming", created: now - 10,
                            job: .init(state: "running", runAt: now - 10, leaseUntil: now + 100_000))
            }) { ctl, database in
                let id = try sqlite(database, "SELECT id FROM jobs WHERE stream_id = 's-dead'")
                let listed = try ctl.run("jobs", "list", "--state", "dead")
                #expect(WecomctlTests.row(listed.stdout, id)?.prefix(4) == [Substring(id), "dead", "3/3", "s-dead"])
                #expect(listed.stdout.contains("dify: HTTP 500"))
                #expect(!listed.stdout.contains("s-busy"))
                #expect(try ctl.run("jobs", "list").stdout.contains("s-busy"))

                let retried = try ctl.run("jobs", "retry", id)
                #expect(retried.status == 0)
                #expect(retried.stdout.contains("job \(id) (was dead) is queued again; stream s-dead reopened"))
                #expect(try sqlite(database, "SELECT state || '|' || attempts || '|' || (run_at >= \(now)) || '|' || "
                                   + "coalesce(lease_owner, '-') FROM jobs WHERE id = \(id)") == "queued|0|1|-")
                #expect(try sqlite(database, "SELECT state || '|' || finished || '|' || coalesce(error, 'NULL') || '|' || "
                                   + "content || '|' || coalesce(finished_at, 'NULL') FROM streams WHERE id = 's-dead'")
                        == "pending|0|NULL||NULL")
                #expect(try sqlite(database, "SELECT count(*) FROM stream_images") == "0")

                let again = try ctl.run("jobs", "retry", id)
                #expect(again.status == 1)
                #expect(again.stderrLines == ["wecomctl: job \(id) is queued: only done or dead jobs can be retried"])
                let busy = try sqlite(database, "SELECT id FROM jobs WHERE stream_id = 's-busy'")
                #expect(try ctl.run("jobs", "retry", busy).status == 1)
                #expect(try ctl.run("jobs", "retry", "99999").stderrLines == ["wecomctl: no job 99999"])
            }
        }

        @Test func purgeRemovesOnlyOldFinishedRows() throws {
            let old = now - 10 * 86400, recent = now - 3600
            try withRows({ rows in
                rows.stream("old-done", state: "finished", created: old, finishedAt: old + 5, images: 2,
                            job: .init(state: "done", runAt: old, finishedAt: old + 5))
                rows.stream("old-dead", state: "failed", created: old, finishedAt: old + 9,
                            job: .init(state: "dead", runAt: old, finishedAt: old + 9))
                rows.stream("old-queued", state: "pending", created: old, job: .init(state: "queued", runAt: old))
                rows.stream("old-running", state: "finished", created: old, finishedAt: old + 330,
                            job: .init(state: "running", runAt: old, leaseUntil: now + 100_000))
                rows.stream("recent-done", state: "finished", created: recent, finishedAt: recent + 5,
                            job: .init(state: "done", runAt: recent, finishedAt: recent + 5))
            }) { ctl, database in
                let result = try ctl.run("purge", "--older-than", "7d", "--batch", "1")
                #expect(result.status == 0)
                #expect(result.stdout.contains("in 2 transaction(s)"))
                for table in ["streams", "messages", "stream_images", "jobs"] {
                    #expect(WecomctlTests.row(result.stdout, table) == [Substring(table), "2"])
                }
                #expect(result.stdout.contains("WAL checkpoint: complete"))
                #expect(try sqlite(database, "SELECT group_concat(id, ',') FROM (SELECT id FROM streams ORDER BY id)")
                        == "old-queued,old-running,recent-done")
                #expect(try sqlite(database, "SELECT count(*) FROM messages") == "3")
                #expect(try sqlite(database, "SELECT count(*) FROM jobs") == "3")
                #expect(try sqlite(database, "SELECT count(*) FROM stream_images") == "0")
                #expect(WecomctlTests.row(try ctl.run("purge", "--older-than", "7d").stdout, "streams") == ["streams", "0"])
            }
        }
    }

    /// The whitespace-separated fields of the first line of `table` whose first field is `first`.
    static func row(_ table: String, _ first: String) -> [Substring]? {
        table.split(separator: "\n").map { $0.split(separator: " ") }.first { $0.first == Substring(first) }
    }
}
