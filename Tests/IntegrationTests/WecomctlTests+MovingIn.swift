import DifyStandIn
import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

extension WecomctlTests {
    /// Issue 17, moving in: `store copy` from a single-host SQLite file to PostgreSQL and back,
    /// and `agents import-seed` from the original Python service's `agents` table.
    @Suite struct MovingIn {
        let now = Int64(Date().timeIntervalSince1970)

        /// A fresh PostgreSQL schema for the test, dropped afterwards.
        static func withSchema(_ body: (String) throws -> Void) throws {
            let schema = TestPostgres.freshSchemaName()
            defer { _ = try? TestPostgres.admin("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
            try body(schema)
        }

        /// The original service's table, in a schema of its own (as its `public` would be): ids
        /// from a sequence, an inactive row, and a column this service does not read.
        static func createSeedTable(in schema: String, endpoint: String, key: String) throws {
            try TestPostgres.admin("""
                CREATE SCHEMA \(schema);
                CREATE TABLE \(schema).agents(id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL,
                  api_endpoint VARCHAR(255) NOT NULL, api_key VARCHAR(255) NOT NULL, is_active BOOLEAN DEFAULT TRUE,
                  created_at TIMESTAMP DEFAULT now());
                INSERT INTO \(schema).agents(name, api_endpoint, api_key, is_active) VALUES
                  ('销售助手', '\(endpoint)/', '\(key)', TRUE),
                  ('旧助手', 'http://retired.example/v1', 'app-retired-key-77', FALSE),
                  ('客服', 'https://dify.example.com/v1', 'app-support-key-88', TRUE);
                """)
        }

        /// Queued, running (its worker gone) and recently answered streams go; an answer from
        /// yesterday and yesterday's failure stay behind.
        func writeRows(to database: String) throws {
            var rows = OperatorRows()
            rows.stream("q1", state: "pending", created: now - 30, job: .init(state: "queued", attempts: 0, runAt: now - 30))
            rows.stream("r1", state: "streaming", created: now - 5000, content: "半截",
                        job: .init(state: "running", runAt: now - 5000, leaseUntil: now - 10))
            rows.stream("d1", state: "finished", created: now - 60, finishedAt: now - 50, content: "答案", images: 2,
                        job: .init(state: "done", runAt: now - 60, finishedAt: now - 50))
            rows.stream("old", state: "finished", created: now - 86400, finishedAt: now - 86300, content: "旧答案",
                        job: .init(state: "done", runAt: now - 86400, finishedAt: now - 86300))
            rows.stream("x1", state: "failed", created: now - 90000, finishedAt: now - 89990, error: "dify: HTTP 500",
                        job: .init(state: "dead", attempts: 3, runAt: now - 90000, finishedAt: now - 89990,
                                   lastError: "dify: HTTP 500"))
            try rows.write(to: database)
        }

        /// The copied streams' rows as `sqlite3` prints them, for comparing two files.
        static func copiedRows(_ database: String) throws -> String {
            try sqlite(database, """
                SELECT s.id, s.state, s.content, s.finished, s.created_at, s.updated_at, s.finished_at, m.msgid, j.id,
                  j.state, j.attempts, j.lease_owner, j.lease_until,
                  (SELECT group_concat(hex(data), ',') FROM stream_images i WHERE i.stream_id = s.id)
                FROM streams s JOIN messages m ON m.stream_id = s.id LEFT JOIN jobs j ON j.stream_id = s.id
                WHERE s.id IN ('q1', 'r1', 'd1') ORDER BY s.id
                """)
        }

        @Test func storeCopyMovesASQLiteInstallToPostgreSQLAndBack() throws {
            let url = try TestPostgres.url(), password = try TestPostgres.password()
            try Self.withSchema { schema in
                try WecomctlTests.withScratch { ctl, database in
                    #expect(try ctl.run("init").status == 0)
                    let key = EncodingAESKeyGenerator.make()
                    #expect(try ctl.run("bots", "add", "aibOPS", "--token", "tok1", "--aes-key", key, "--agent", "1").status == 0)
                    #expect(try ctl.run("agents", "add", "1", "--name", "销售助手", "--base-url", "http://dify.internal/v1",
                                        "--api-key", "app-copy-key").status == 0)
                    try writeRows(to: database)

                    let copy = try ctl.run("store", "copy", "--from", database, "--to", url, "--to-schema", schema)
                    #expect(copy.status == 0, "\(copy.all)")
                    #expect(copy.stdout.contains("\nstreams: 3 copied\n"))
                    #expect(copy.stdout.contains("count check: every table matches"))
                    #expect(WecomctlTests.row(copy.stdout, "stream_images") == ["stream_images", "2", "2"])
                    #expect(!copy.all.contains(password) && !copy.all.contains("app-copy-key") && !copy.all.contains(key))
                    #expect(!copy.stderr.contains("\u{1B}"))   // no progress line: stderr is not a terminal

                    let counts = try ["streams", "messages", "jobs", "stream_images", "bots", "agents"].map {
                        try TestPostgres.admin("SELECT count(*) FROM \(schema).\($0)")
                    }
                    #expect(counts == [3, 3, 3, 2, 1, 1])
                    for stream in ["q1", "r1", "d1"] {   // jobs keep their ids
                        let jobID = "SELECT id FROM jobs WHERE stream_id = '\(stream)'"
                        #expect(try TestPostgres.admin(jobID, schema: schema) == Int64(try sqlite(database, jobID)))
                    }

                    let onPostgres = WecomctlRunner(directory: ctl.directory, database: database + "-unused",
                                                    extra: ["WECOM_DATABASE_URL": url, "WECOM_PG_SCHEMA": schema])
                    let status = try onPostgres.run("status", "--json")
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
                    #expect(json["jobs"] as? [String: Int] == ["queued": 1, "running": 1, "done": 1, "dead": 0])
                    #expect(json["expired_leases"] as? Int == 1)

                    let again = try ctl.run("store", "copy", "--from", database, "--to", url, "--to-schema", schema)
                    #expect(again.status == 0)
                    #expect(again.stdout.contains("\nstreams: 0 copied, 3 already there\n"))

                    let back = ctl.directory + "/back.sqlite3"
                    let home = try ctl.run("store", "copy", "--from", url, "--from-schema", schema, "--to", back)
                    #expect(home.status == 0, "\(home.all)")
                    #expect(try Self.copiedRows(back) == Self.copiedRows(database))
                    #expect(try sqlite(back, "SELECT count(*) FROM streams") == "3")
                    #expect(try sqlite(back, "SELECT token || agent FROM bots") == "tok11")
                }
            }
        }

        @Test func storeCopyRefusesAWorkingSourceAndADestinationWithOtherValues() throws {
            let url = try TestPostgres.url()
            try Self.withSchema { schema in
                try WecomctlTests.withScratch { ctl, database in
                    #expect(try ctl.run("init").status == 0)
                    let key = EncodingAESKeyGenerator.make()
                    #expect(try ctl.run("bots", "add", "aibOPS", "--token", "tok1", "--aes-key", key).status == 0)
                    #expect(try ctl.run("store", "copy", "--from", database, "--to", url, "--to-schema", schema).status == 0)

                    #expect(try ctl.run("bots", "add", "aibOPS", "--token", "tok2", "--aes-key", key).status == 0)
                    let clash = try ctl.run("store", "copy", "--from", database, "--to", url, "--to-schema", schema)
                    #expect(clash.status == 1)
                    #expect(clash.stderrLines == ["wecomctl: stopped at bots aibOPS: the destination already holds other "
                                                  + "values under this key; copy into an empty database, or remove what clashes"])

                    var rows = OperatorRows()
                    rows.stream("busy", state: "streaming", created: now - 5,
                                job: .init(state: "running", runAt: now - 5, leaseUntil: now + 100_000))
                    try rows.write(to: database)
                    let working = try ctl.run("store", "copy", "--from", database, "--to", ctl.directory + "/new.sqlite3")
                    #expect(working.status == 1)
                    #expect(working.stderr.hasPrefix("wecomctl: --from: 1 job(s) run under a live lease"))
                    #expect(!FileManager.default.fileExists(atPath: ctl.directory + "/new.sqlite3"))

                    let same = try ctl.run("store", "copy", "--from", database, "--to", database)
                    #expect(same.stderrLines == ["wecomctl: --from and --to are the same database: \(database)"])
                }
            }
        }

        /// On a terminal the copy shows one line that rewrites itself; `script` gives it one.
        @Test func storeCopyShowsItsProgressOnATerminal() throws {
            let script = try #require(which("script"), "script(1) from util-linux is needed")
            try WecomctlTests.withScratch { ctl, database in
                #expect(try ctl.run("init").status == 0)
                try writeRows(to: database)
                let command = "\(try TestPaths.binary("wecomctl")) store copy --from \(database) "
                    + "--to \(ctl.directory)/tty.sqlite3 --batch 1"
                let run = try WecomctlRunner.Running(executable: script, arguments: ["-qec", command, "/dev/null"],
                                                     environment: ctl.environment, directory: ctl.directory).wait()
                #expect(run.status == 0, "\(run.all)")
                for done in 1...3 { #expect(run.stdout.contains("\r\u{1B}[Kcopied \(done)/3 streams")) }
                #expect(run.stdout.contains("\r\u{1B}[Kstreams: 3 copied"))
            }
        }

        /// The original `.env` plus WECOM_DATABASE_URL: the seed table is read from the same
        /// database, the agents land in WECOM_PG_SCHEMA beside it, and running it again changes
        /// only what changed in the table.
        @Test func importSeedCreatesTheOriginalAgentsWithTheirIdsAndNames() throws {
            let url = try TestPostgres.url(), password = try TestPostgres.password()
            try Self.withSchema { ours in
                try Self.withSchema { seed in
                    try Self.createSeedTable(in: seed, endpoint: "http://dify.internal/v1", key: "app-sales-key-66")
                    let scratch = try TestPaths.scratch()
                    defer { try? FileManager.default.removeItem(atPath: scratch) }
                    let ctl = WecomctlRunner(directory: scratch, database: scratch + "/unused.sqlite3", extra: [
                        "WECOM_DATABASE_URL": url, "WECOM_PG_SCHEMA": ours,
                        "WECOM_AIBOT_AGENT_MAPPING": #"{"aibSALES": "1", "aibHELP": 3}"#,
                    ])
                    let first = try ctl.run("agents", "import-seed", "--table", "\(seed).agents")
                    #expect(first.status == 0, "\(first.all)")
                    #expect(first.stdout.contains("\nimported agent 1 (销售助手) http://dify.internal/v1\n"))
                    #expect(first.stdout.contains("\nskipped agent 2 (旧助手): is_active is not true\n"))
                    #expect(first.stdout.contains("\nimported agent 3 (客服) https://dify.example.com/v1\n"))
                    #expect(first.stdout.contains("3 row(s): 2 imported, 0 updated, 0 unchanged, 1 skipped"))
                    #expect(first.stdout.contains("WECOM_AIBOT_AGENT_MAPPING: aibSALES → agent 1 (销售助手)"))
                    #expect(first.stdout.contains("WECOM_AIBOT_AGENT_MAPPING: aibHELP → agent 3 (客服)"))
                    #expect(try TestPostgres.admin("""
                        SELECT count(*) FROM \(ours).agents WHERE (id, name, dify_base_url, dify_api_key) IN
                          (('1', '销售助手', 'http://dify.internal/v1', 'app-sales-key-66'),
                           ('3', '客服', 'https://dify.example.com/v1', 'app-support-key-88'))
                        """) == 2)
                    #expect(try TestPostgres.admin("SELECT count(*) FROM \(ours).agents") == 2)

                    try TestPostgres.admin("UPDATE \(seed).agents SET api_key = 'app-sales-key-99' WHERE id = 1")
                    try TestPostgres.admin("UPDATE \(seed).agents SET is_active = FALSE WHERE id = 3")
                    let second = try ctl.run("agents", "import-seed", "--table", "\(seed).agents")
                    #expect(second.status == 0)
                    #expect(second.stdout.contains("\nupdated agent 1 (销售助手) http://dify.internal/v1\n"))
                    #expect(second.stdout.contains("\nskipped agent 3 (客服): is_active is not true; the agent "
                                                   + "imported earlier stays (wecomctl agents remove 3)\n"))
                    #expect(try TestPostgres.admin("SELECT count(*) FROM \(ours).agents WHERE dify_api_key = 'app-sales-key-99'") == 1)
                    #expect(try TestPostgres.admin("SELECT count(*) FROM \(seed).agents") == 3)

                    for result in [first, second] {
                        #expect(!result.all.contains("app-sales-key") && !result.all.contains("app-support-key")
                                && !result.all.contains("app-retired-key") && !result.all.contains(password))
                    }
                }
            }
        }

        @Test func importSeedWithoutAPostgreSQLDatabaseSaysWhatToPass() throws {
            try WecomctlTests.withScratch { ctl, _ in
                let result = try ctl.run("agents", "import-seed")
                #expect(result.status == 1)
                #expect(result.stderrLines == ["wecomctl: no PostgreSQL database to read from: pass --from postgresql://… "
                                               + "or set WECOM_DATABASE_URL"])
            }
        }

        /// The whole path: agents imported into a single-host install's SQLite file from the
        /// original service's database, and a message to the aibotid the mapping sends to "1" is
        /// answered by that agent's Dify app with that agent's key, not by the default one.
        @Test func aMappingToAnImportedIdIsAnsweredByThatAgent() throws {
            let seedKey = "app-seed-" + SecureRandom.alphanumeric(16)
            let imported = try DifyStandIn(apiKey: seedKey)
            defer { imported.stop() }
            imported.defaultScript = .answer(text: "销售助手为您服务")
            try Self.withSchema { seed in
                try Self.createSeedTable(in: seed, endpoint: imported.apiBaseURL, key: seedKey)
                let s = try AnswerStack(environment: ["WECOM_AIBOT_AGENT_MAPPING": #"{"aibTEST": "1"}"#])
                defer { s.stop() }
                let ctl = WecomctlRunner(directory: s.stack.scratch, database: s.stack.databasePath,
                                         extra: ["WECOM_AIBOT_AGENT_MAPPING": #"{"aibTEST": "1"}"#])
                let result = try ctl.run("agents", "import-seed", "--from", try TestPostgres.url(), "--table", "\(seed).agents")
                #expect(result.status == 0, "\(result.all)")
                #expect(result.stdout.contains("WECOM_AIBOT_AGENT_MAPPING: aibTEST → agent 1 (销售助手)"))

                let streamID = try s.wecom.send(WeComSimulator.text(msgID: "seed-1", content: "你好"))
                #expect(try s.wecom.final(streamID: streamID)["content"] as? String == "销售助手为您服务")
                #expect(imported.chatRequests.map(\.authorization) == ["Bearer \(seedKey)"])
                #expect(s.dify.chatRequests.isEmpty)
                #expect(try s.stack.sqlite("SELECT agent FROM streams WHERE id = '\(streamID)'") == "1")
            }
        }
    }
}
