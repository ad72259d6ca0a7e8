import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// Issue 5: the built `wecomctl` against a temporary SQLite file. The nested suites (queue,
/// simulate) live in the `WecomctlTests+*.swift` files.
@Suite struct WecomctlTests {
    /// A scratch folder with a database path in it, removed afterwards.
    static func withScratch(_ body: (WecomctlRunner, String) throws -> Void) throws {
        let scratch = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let database = scratch + "/db/bot.sqlite3"
        try body(WecomctlRunner(directory: scratch, database: database), database)
    }

    @Test func initCreatesTheDatabaseAndOtherCommandsNeedIt() throws {
        try Self.withScratch { ctl, database in
            let missing = try ctl.run("status")
            #expect(missing.status == 1)
            #expect(missing.stderrLines == ["wecomctl: no database at \(database): run `wecomctl init`, or pass --db PATH"])
            #expect(!FileManager.default.fileExists(atPath: database))

            let created = try ctl.run("init")
            #expect(created.status == 0)
            #expect(created.stdout == "database: \(database)\nschema version: \(Backend.sqlite.latestSchemaVersion)\n")
            #expect(try sqlite(database, "PRAGMA user_version") == String(Backend.sqlite.latestSchemaVersion))
            #expect(try ctl.run("init").stdout == created.stdout)

            let elsewhere = ctl.directory + "/other.sqlite3"
            #expect(try ctl.run("init", "--db", elsewhere).stdout.hasPrefix("database: \(elsewhere)\n"))
        }
    }

    /// The original service's `.env` names the database in libpq's PG* variables:
    /// `WECOM_DATABASE_URL=postgresql://` takes everything from them, and the password shows nowhere.
    @Test func initOnPostgreSQLFromThePGVariables() throws {
        let url = try #require(URLComponents(string: try TestPostgres.url()))
        let password = try TestPostgres.password()
        let schema = TestPostgres.freshSchemaName()
        defer { _ = try? TestPostgres.admin("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let scratch = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let ctl = WecomctlRunner(directory: scratch, database: scratch + "/unused.sqlite3", extra: [
            "WECOM_DATABASE_URL": "postgresql://", "WECOM_PG_SCHEMA": schema,
            "PGHOST": url.host ?? "", "PGPORT": String(url.port ?? 5432), "PGUSER": url.user ?? "",
            "PGPASSWORD": password, "PGDATABASE": String(url.path.dropFirst()),
        ])
        let missing = try ctl.run("status")
        #expect(missing.status == 1)
        let created = try ctl.run("init")
        #expect(created.status == 0)
        let location = "PostgreSQL host=\(url.host ?? "") port=\(url.port ?? 0) dbname=\(url.path.dropFirst()) "
            + "user=\(url.user ?? "") schema=\(schema)"
        #expect(created.stdout == "database: \(location)\nschema version: \(Backend.postgres.latestSchemaVersion)\n")
        let status = try ctl.run("status")
        #expect(status.status == 0)
        #expect(status.stdout.hasPrefix("database: \(location) (schema \(Backend.postgres.latestSchemaVersion))\n"))
        for result in [missing, created, status] { #expect(!result.all.contains(password)) }
        #expect(!FileManager.default.fileExists(atPath: scratch + "/unused.sqlite3"))
    }

    @Test func botsAreAddedUpdatedListedAndRemovedWithoutShowingSecrets() throws {
        try Self.withScratch { ctl, database in
            let token = "tok" + SecureRandom.alphanumeric(20), key = EncodingAESKeyGenerator.make()
            let added = try ctl.run("bots", "add", "aibOPS", "--token", token, "--aes-key", key,
                                    "--agent", "sales", "--name", "@销售助手")
            #expect(added.status == 0)
            #expect(added.stdout == "added bot aibOPS (callback)\n")
            #expect(added.stderr.contains("no agent 'sales' yet"))
            #expect(try sqlite(database, "SELECT token || '|' || encoding_aes_key || '|' || agent || '|' || bot_name FROM bots")
                    == "\(token)|\(key)|sales|销售助手")

            let newToken = "tok" + SecureRandom.alphanumeric(20)
            let updated = try ctl.run("bots", "add", "aibOPS", "--token", newToken, "--aes-key", key)
            #expect(updated.stdout == "updated bot aibOPS (callback)\n")
            #expect(try sqlite(database, "SELECT token || '|' || agent FROM bots") == "\(newToken)|sales")

            let list = try ctl.run("bots", "list")
            #expect(list.status == 0)
            #expect(WecomctlTests.row(list.stdout, "aibOPS")?.prefix(4) == ["aibOPS", "callback", "sales", "销售助手"])
            for result in [added, updated, list] {
                #expect(!result.all.contains(token) && !result.all.contains(newToken) && !result.all.contains(key))
            }

            #expect(try ctl.run("bots", "remove", "aibOPS").stdout == "removed bot aibOPS\n")
            let again = try ctl.run("bots", "remove", "aibOPS")
            #expect(again.status == 1)
            #expect(again.stderrLines == ["wecomctl: no bot aibOPS"])
            #expect(try ctl.run("bots", "list").stdout.hasPrefix("no bots in the database\n"))
        }
    }

    @Test func agentsAreAddedListedAndRemovedWithoutShowingKeys() throws {
        try Self.withScratch { ctl, database in
            let apiKey = "app-" + SecureRandom.alphanumeric(24)
            let added = try ctl.run("agents", "add", "sales", "--name", "销售助手", "--base-url", "http://dify.internal/v1/",
                                    "--api-key", apiKey, "--welcome", "你好，我是销售助手", "--bot-name", "@小助手")
            #expect(added.status == 0)
            #expect(added.stdout == "added agent sales (销售助手)\n")
            #expect(try sqlite(database, "SELECT dify_base_url || '|' || dify_api_key || '|' || welcome_text || '|' || bot_name FROM agents")
                    == "http://dify.internal/v1|\(apiKey)|你好，我是销售助手|小助手")

            let clash = try ctl.run("agents", "add", "other", "--name", "销售助手", "--base-url", "http://x/v1", "--api-key", "k")
            #expect(clash.status == 1)
            #expect(clash.stderrLines == ["wecomctl: the name '销售助手' is already used by agent sales"])

            let list = try ctl.run("agents", "list")
            #expect(list.stdout.contains("sales") && list.stdout.contains("http://dify.internal/v1"))
            #expect(!list.all.contains(apiKey) && !added.all.contains(apiKey))

            #expect(try ctl.run("agents", "remove", "销售助手").stdout == "removed agent sales (销售助手)\n")
            #expect(try sqlite(database, "SELECT count(*) FROM agents") == "0")
            #expect(try ctl.run("agents", "remove", "sales").status == 1)
        }
    }

    @Test func genKeyPrintsEnvLinesWithAKeyOf32Bytes() throws {
        try Self.withScratch { ctl, database in
            let first = try ctl.run("gen-key"), second = try ctl.run("gen-key")
            #expect(first.status == 0 && first.stderr.isEmpty)
            let lines = first.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            let token = try #require(lines.first { $0.hasPrefix("WECOM_TOKEN=") }).dropFirst("WECOM_TOKEN=".count)
            let key = try #require(lines.first { $0.hasPrefix("WECOM_ENCODING_AES_KEY=") })
                .dropFirst("WECOM_ENCODING_AES_KEY=".count)
            #expect(token.count == 32 && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(key.count == 43)
            #expect(try AESKey(encodingAESKey: String(key)).key.count == 32)
            #expect(first.stdout != second.stdout)
            #expect(!FileManager.default.fileExists(atPath: database), "gen-key needs no database")
        }
    }

    @Test(arguments: [
        ["bots", "add", "bad id", "--token", "t", "--aes-key", "k"],
        ["bots", "add", "aibOK", "--token", "t", "--aes-key", "tooShort"],
        ["bots", "add"],
        ["bots", "add", "aibOK", "--token", "t"],
        ["bots", "add", "aibOK", "--ws-secret", "s", "--ws-secret-file", "/dev/null"],
        ["bots", "add", "aibOK", "--ws-secret", "has space"],
        ["bots", "reconnect"],
        ["send", "aibOK", "--markdown", "hi"],
        ["send", "aibOK", "--to", "u1", "--chat", "c1", "--markdown", "hi"],
        ["send", "aibOK", "--to", "u1", "--markdown", ""],
        ["send", "aibOK", "--to", "u1", "--markdown", "hi", "--timeout", "0"],
        ["agents", "add", "a1", "--name", "n", "--base-url", "ftp://x", "--api-key", "k"],
        ["jobs", "list", "--state", "sleeping"],
        ["jobs", "retry", "notANumber"],
        ["purge", "--older-than", "7x"],
        ["purge"],
        ["simulate", "http://127.0.0.1:1/wecom/callback/b", "--text", "hi", "--token", "t"],
        ["simulate", "http://127.0.0.1:1/somewhere", "--text", "hi", "--token", "t", "--aes-key", EncodingAESKeyGenerator.make()],
        ["frobnicate"],
    ])
    func badArgumentsFailWithOneLine(arguments: [String]) throws {
        try Self.withScratch { ctl, _ in
            let result = try ctl.start(arguments).wait()
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.hasPrefix("wecomctl: "))
        }
    }

    @Test func everyCommandHasHelpWithAnExample() throws {
        try Self.withScratch { ctl, _ in
            let root = try ctl.run("--help")
            #expect(root.status == 0)
            #expect(root.stdout.contains("OVERVIEW:") && root.stdout.contains("Examples:"))
            let leaves = [["init"], ["bots", "add"], ["bots", "list"], ["bots", "remove"], ["agents", "add"],
                          ["agents", "list"], ["agents", "remove"], ["status"], ["streams", "show"], ["jobs", "list"],
                          ["jobs", "retry"], ["purge"], ["gen-key"], ["simulate"], ["bots", "reconnect"], ["send"]]
            for command in leaves {
                let help = try ctl.start(command + ["--help"]).wait()
                #expect(help.status == 0, "\(command)")
                #expect(help.stdout.contains("OVERVIEW:") && help.stdout.contains("Example"), "\(command)")
            }
            for group in ["bots", "agents", "streams", "jobs"] {
                #expect(try ctl.run(group, "--help").stdout.contains("SUBCOMMANDS:"), "\(group)")
            }
        }
    }
}
