import Foundation
import Testing
@testable import BotConfig
import WeComCrypto

@Suite struct ConfigurationTests {
    static let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    @Test func defaultsWithEmptyEnvironment() throws {
        let c = try Configuration(values: [:])
        #expect(c.token == nil)
        #expect(!c.hasDefaultBot)
        #expect(c.receiveID == "")
        #expect(c.databasePath == "var/wecom-bot.sqlite3")
        #expect(c.wakeDirectory == "var/wake")
        #expect(c.thinkingText == "")
        #expect(c.difyIdleTimeout == 60)
        #expect(c.streamDeadline == 330)
        #expect(c.logLevel == "info")
        #expect(c.allowPrivateFetch == false)
        #expect(c.agentMapping.isEmpty)
        #expect(c.databaseURL == nil)
        #expect(c.pgSchema == "wecom_bot")
    }

    @Test func fullEnvironment() throws {
        let c = try Configuration(values: [
            "WECOM_TOKEN": "tok", "WECOM_ENCODING_AES_KEY": Self.key,
            "WECOM_AIBOT_AGENT_MAPPING": #"{"aib1":"sales","aib2":7}"#,
            "DIFY_API_BASE_URL": "http://dify.local/v1", "DIFY_API_KEY": "app-x",
            "WECOM_DB_PATH": "/srv/bot/db.sqlite3", "WECOM_STREAM_DEADLINE": "2.5",
            "WECOM_ALLOW_PRIVATE_FETCH": "yes", "WECOM_RESPONSE_URL_ALLOW": "http://127.0.0.1:8080, https://a.example/",
            "WECOM_LOG_LEVEL": "DEBUG", "WECOM_THINKING_TEXT": "思考中…",
        ])
        #expect(c.hasDefaultBot)
        #expect(c.agentMapping == ["aib1": "sales", "aib2": "7"])
        #expect(c.wakeDirectory == "/srv/bot/wake")
        #expect(c.streamDeadline == 2.5)
        #expect(c.allowPrivateFetch)
        #expect(c.responseURLAllow == ["http://127.0.0.1:8080", "https://a.example"])
        #expect(c.logLevel == "debug")
        #expect(c.thinkingText == "思考中…")
    }

    static let bad: [([String: String], String)] = [
        (["WECOM_TOKEN": "t", "WECOM_ENCODING_AES_KEY": String(key.dropLast())], "WECOM_ENCODING_AES_KEY"),
        (["WECOM_TOKEN": "t", "WECOM_ENCODING_AES_KEY": String(key.dropLast()) + "+"], "WECOM_ENCODING_AES_KEY"),
        (["WECOM_TOKEN": "t"], "WECOM_ENCODING_AES_KEY"),
        (["WECOM_ENCODING_AES_KEY": key], "WECOM_TOKEN"),
        (["WECOM_AIBOT_AGENT_MAPPING": "[1,2]"], "WECOM_AIBOT_AGENT_MAPPING"),
        (["WECOM_AIBOT_AGENT_MAPPING": "{not json"], "WECOM_AIBOT_AGENT_MAPPING"),
        (["WECOM_AIBOT_AGENT_MAPPING": #"{"aib":true}"#], "WECOM_AIBOT_AGENT_MAPPING"),
        (["DIFY_API_BASE_URL": "ftp://x/v1", "DIFY_API_KEY": "k"], "DIFY_API_BASE_URL"),
        (["DIFY_API_BASE_URL": "http://x/v1"], "DIFY_API_KEY"),
        (["WECOM_DIFY_IDLE_TIMEOUT": "soon"], "WECOM_DIFY_IDLE_TIMEOUT"),
        (["WECOM_DIFY_IDLE_TIMEOUT": "-1"], "WECOM_DIFY_IDLE_TIMEOUT"),
        (["WECOM_STREAM_DEADLINE": "400"], "WECOM_STREAM_DEADLINE"),
        (["WECOM_ALLOW_PRIVATE_FETCH": "maybe"], "WECOM_ALLOW_PRIVATE_FETCH"),
        (["WECOM_RESPONSE_URL_ALLOW": "127.0.0.1:8080"], "WECOM_RESPONSE_URL_ALLOW"),
        (["WECOM_LOG_LEVEL": "loud"], "WECOM_LOG_LEVEL"),
        (["WECOM_JOB_MAX_ATTEMPTS": "0"], "WECOM_JOB_MAX_ATTEMPTS"),
        (["WECOM_PG_SCHEMA": "Wecom"], "WECOM_PG_SCHEMA"),
        (["WECOM_PG_SCHEMA": "1bot"], "WECOM_PG_SCHEMA"),
        (["WECOM_PG_SCHEMA": "wecom-bot"], "WECOM_PG_SCHEMA"),
        (["WECOM_PG_SCHEMA": "pg_bot"], "WECOM_PG_SCHEMA"),
        (["WECOM_PG_SCHEMA": String(repeating: "a", count: 64)], "WECOM_PG_SCHEMA"),
        (["WECOM_BOT_ID": "aib1"], "WECOM_BOT_SECRET"),
        (["WECOM_BOT_SECRET": "s"], "WECOM_BOT_ID"),
        (["WECOM_WS_URL": "https://openws.work.weixin.qq.com"], "WECOM_WS_URL"),
        (["WECOM_WS_URL": "wss://"], "WECOM_WS_URL"),
        (["WECOM_WS_URL": "openws.work.weixin.qq.com"], "WECOM_WS_URL"),
        (["WECOM_WS_CA_FILE": "/nonexistent/ca.pem"], "WECOM_WS_CA_FILE"),
        (["WECOM_WS_PING_INTERVAL": "0"], "WECOM_WS_PING_INTERVAL"),
        (["WECOM_WS_PING_INTERVAL": "often"], "WECOM_WS_PING_INTERVAL"),
        (["WECOM_WS_LEASE": "-5"], "WECOM_WS_LEASE"),
        (["WECOM_WORKER_HEARTBEAT": "0"], "WECOM_WORKER_HEARTBEAT"),
    ]

    @Test(arguments: bad) func badValueNamesTheVariable(values: [String: String], variable: String) {
        #expect {
            try Configuration(values: values)
        } throws: { error in
            guard let e = error as? ConfigurationError else { return false }
            return e.variable == variable && e.description.hasPrefix("configuration error: \(variable): ")
        }
    }

    /// The key check is the crypto's own rule. A key with `+` or `/` is standard base64 of 32
    /// bytes but not letters and digits, which WeCom's keys are: both refuse it.
    @Test func theKeyCheckAcceptsExactlyWhatTheCryptoAccepts() {
        let key = Self.key
        let plus = String(key.prefix(10)) + "+" + String(key.dropFirst(11))
        var candidates = [key, plus, String(key.prefix(10)) + "/" + String(key.dropFirst(11)),
                          String(key.dropLast()), key + "A", String(key.dropLast()) + "="]
        for byte in UInt8(0x20)..<0x7F { candidates.append(String(key.dropLast()) + String(UnicodeScalar(byte))) }
        for candidate in candidates {
            let checked = (try? Configuration(values: ["WECOM_TOKEN": "t", "WECOM_ENCODING_AES_KEY": candidate])) != nil
            let usable = (try? AESKey(encodingAESKey: candidate)) != nil
            #expect(checked == usable, "\(candidate)")
        }
        #expect(throws: WeComCryptoError.illegalAESKey("EncodingAESKey must be letters and digits")) {
            try AESKey(encodingAESKey: plus)
        }
        #expect((try? AESKey(encodingAESKey: String(key.dropLast()) + "9")) != nil)  // unused bits set
    }

    @Test func agentMappingTakesStringsAndIntegers() throws {
        let c = try Configuration(values: ["WECOM_AIBOT_AGENT_MAPPING": #" {"a":"sales","b":7,"c":1.0,"d":-0,"e":"\u4f60\/x","f":9007199254740991} "#])
        #expect(c.agentMapping == ["a": "sales", "b": "7", "c": "1", "d": "0", "e": "你/x", "f": "9007199254740991"])
        #expect(try Configuration(values: ["WECOM_AIBOT_AGENT_MAPPING": " \t"]).agentMapping.isEmpty)
    }

    /// Values that are not a non-empty agent id: refused at start rather than mapped to
    /// something else. Integers from 2^53 on are among them: their digits would not survive.
    @Test(arguments: [#"{"a":""}"#, #"{"a":null}"#, #"{"a":1.5}"#, #"{"a":[]}"#, #"{"a":{}}"#, #"{"a":false}"#,
                      #"{"a":9007199254740993}"#, #"{"a":1e300}"#])
    func agentMappingRefusesOtherValues(raw: String) {
        #expect(throws: ConfigurationError(variable: "WECOM_AIBOT_AGENT_MAPPING",
                                           reason: "the value for \"a\" must be a non-empty agent id or name")) {
            try Configuration(values: ["WECOM_AIBOT_AGENT_MAPPING": raw])
        }
    }

    @Test(arguments: [#"{"a":"b",}"#, "\u{FEFF}{\"a\":\"b\"}", #"{"a":"\ud800"}"#, #""a""#, "null"])
    func agentMappingMustBeAStrictJSONObject(raw: String) {
        #expect(throws: ConfigurationError(variable: "WECOM_AIBOT_AGENT_MAPPING",
                                           reason: "must be a JSON object such as {\"aibXXXX\": \"agent-id\"}")) {
            try Configuration(values: ["WECOM_AIBOT_AGENT_MAPPING": raw])
        }
    }

    @Test func errorsNeverEchoSecretValues() {
        let secret = "SECRETSECRETSECRETSECRETSECRETSECRETSECRE"  // 41 chars
        do {
            _ = try Configuration(values: ["WECOM_TOKEN": "t", "WECOM_ENCODING_AES_KEY": secret])
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains(secret))
        }
        let c = try? Configuration(values: ["WECOM_TOKEN": "tok-secret", "WECOM_ENCODING_AES_KEY": Self.key,
                                            "DIFY_API_BASE_URL": "http://d/v1", "DIFY_API_KEY": "app-secret"])
        let text = c.map { "\($0)" } ?? ""
        #expect(!text.isEmpty)
        #expect(!text.contains("tok-secret") && !text.contains(Self.key) && !text.contains("app-secret"))
    }

    /// The database URL selects PostgreSQL; it may hold a password, so the summary only says it is set.
    @Test func aDatabaseURLIsKeptButNeverShown() throws {
        let url = "postgresql://bot:pw-Secret-9@db.example:5432/wecom"
        let c = try Configuration(values: ["WECOM_DATABASE_URL": url, "WECOM_PG_SCHEMA": "bot_2"])
        #expect(c.databaseURL == url)
        #expect(c.pgSchema == "bot_2")
        #expect("\(c)".contains("PostgreSQL") && "\(c)".contains("bot_2"))
        #expect(!"\(c)".contains("pw-Secret-9"))
        #expect(try Configuration(values: ["WECOM_DATABASE_URL": ""]).databaseURL == nil)
        #expect(try Configuration(values: ["WECOM_PG_SCHEMA": "_a9"]).pgSchema == "_a9")
    }

    @Test func workerHeartbeatDefaultsToFiveSecondsAndTakesDecimals() throws {
        #expect(try Configuration(values: [:]).workerHeartbeat == 5)
        #expect(try Configuration(values: ["WECOM_WORKER_HEARTBEAT": "0.5"]).workerHeartbeat == 0.5)
    }

    @Test func longConnectionDefaults() throws {
        let c = try Configuration(values: [:])
        #expect(!c.hasDefaultLongConnectionBot)
        #expect(c.botID == nil && c.botSecret == nil)
        #expect(c.wsURL == "wss://openws.work.weixin.qq.com")
        #expect(c.wsCAFile == nil)
        #expect(c.wsPingInterval == 30)
        #expect(c.wsLease == 30)
    }

    @Test func longConnectionSettings() throws {
        let ca = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString).pem").path
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: ca, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: ca) }
        let c = try Configuration(values: [
            "WECOM_BOT_ID": "aibLONG", "WECOM_BOT_SECRET": "ws-Secret-42", "WECOM_WS_URL": "ws://127.0.0.1:9100/ws",
            "WECOM_WS_CA_FILE": ca, "WECOM_WS_PING_INTERVAL": "0.5", "WECOM_WS_LEASE": "12",
        ])
        #expect(c.hasDefaultLongConnectionBot)
        #expect(c.botID == "aibLONG" && c.botSecret == "ws-Secret-42")
        #expect(c.wsURL == "ws://127.0.0.1:9100/ws")
        #expect(c.wsCAFile == ca)
        #expect(c.wsPingInterval == 0.5)
        #expect(c.wsLease == 12)
        // The summary names the bot and the endpoint, never the secret.
        #expect("\(c)".contains("aibLONG") && "\(c)".contains("ws://127.0.0.1:9100/ws"))
        #expect(!"\(c)".contains("ws-Secret-42"))
    }

    @Test func aRefusedLongConnectionSettingNeverEchoesTheSecret() {
        do {
            _ = try Configuration(values: ["WECOM_BOT_SECRET": "ws-Secret-42"])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "configuration error: WECOM_BOT_ID: must be set together with WECOM_BOT_SECRET")
        }
    }

    @Test func environmentWinsOverDotEnv() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(".env").path
        try """
        # copied from the original service
        WECOM_TOKEN=file-token
        WECOM_ENCODING_AES_KEY=\(Self.key)
        WECOM_RECEIVE_ID=  # 智能机器人通常为空字符串
        WECOM_BOT_NAME="Robot A"
        WECOM_DB_PATH=/from/file.sqlite3
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let c = try Configuration.load(environment: ["WECOM_ENV_FILE": file, "WECOM_DB_PATH": "/from/env.sqlite3"])
        #expect(c.token == "file-token")
        #expect(c.receiveID == "")
        #expect(c.botName == "Robot A")
        #expect(c.databasePath == "/from/env.sqlite3")
    }

    @Test func missingDotEnvIsFine() throws {
        let c = try Configuration.load(environment: ["WECOM_ENV_FILE": "/nonexistent/.env"])
        #expect(c.databasePath == "var/wecom-bot.sqlite3")
    }
}

@Suite struct DotEnvFileTests {
    @Test func parsesQuotesCommentsAndExport() throws {
        let v = try DotEnvFile.parse("""
        export A=1
        B = two words   # comment
        C='lit # not comment'
        D="line\\nnext \\"q\\""
        E=
        # full comment
        F=url#fragment
        """)
        #expect(v == ["A": "1", "B": "two words", "C": "lit # not comment", "D": "line\nnext \"q\"", "E": "", "F": "url#fragment"])
    }

    @Test func malformedLineNamesTheLineNumber() {
        #expect(throws: ConfigurationError(variable: ".env:2", reason: "expected KEY=value")) {
            try DotEnvFile.parse("A=1\nnot a pair\n")
        }
        #expect(throws: ConfigurationError(variable: ".env:1", reason: "unterminated quoted value for K")) {
            try DotEnvFile.parse("K=\"open")
        }
    }
}
