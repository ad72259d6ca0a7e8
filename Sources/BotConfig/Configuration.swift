import Foundation
import StrictBase64

/// Every setting of wecom-bot, loaded once at start-up from the environment plus a `.env`
/// file (the environment wins). Immutable and Sendable; secrets never appear in `description`.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `WECOM_TOKEN`, `WECOM_ENCODING_AES_KEY` | unset | default bot credentials (key: 43 chars) |
/// | `WECOM_RECEIVE_ID` | `""` | receiveid checked on decrypt when non-empty |
/// | `WECOM_AIBOT_AGENT_MAPPING` | `{}` | JSON: aibotid → agent id or name |
/// | `DIFY_API_BASE_URL`, `DIFY_API_KEY` | unset | the default agent |
/// | `WECOM_DB_PATH` | `var/wecom-bot.sqlite3` | SQLite file |
/// | `WECOM_DATABASE_URL` | unset | libpq URI or key=value string: selects PostgreSQL (a secret: never printed) |
/// | `WECOM_PG_SCHEMA` | `wecom_bot` | PostgreSQL schema of every table |
/// | `WECOM_THINKING_TEXT` | `""` | first frame content; empty shows the client's thinking bubble |
/// | `WECOM_WELCOME_TEXT` | unset | `enter_chat` welcome when the agent has none |
/// | `WECOM_BOT_NAME` | unset | the default bot's @name, removed from group text |
/// | `WECOM_DIFY_IDLE_TIMEOUT` | 60 | seconds without a byte from Dify before giving up |
/// | `WECOM_DIFY_TOTAL_TIMEOUT` | 1260 | cap on one Dify answer, seconds |
/// | `WECOM_STREAM_DEADLINE` | 330 | seconds after the user's message to close the stream |
/// | `WECOM_ALLOW_PRIVATE_FETCH` | 0 | allow fetching loopback/private addresses |
/// | `WECOM_RESPONSE_URL_ALLOW` | unset | extra response_url origins (comma-separated) |
/// | `WECOM_LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical |
/// | `WECOM_MAX_BODY_BYTES` | 262144 | largest callback body accepted |
/// | `WECOM_WAKE_DIR` | `<db folder>/wake` | folder of worker wake-up sockets |
/// | `WECOM_JOB_LEASE` | 30 | seconds a worker holds a job between renewals |
/// | `WECOM_JOB_MAX_ATTEMPTS` | 3 | tries before a job is dead |
/// | `WECOM_STREAM_FLUSH_INTERVAL` | 0.1 | seconds between stream writes while answering |
/// | `WECOM_WORKER_HEARTBEAT` | 5 | seconds between a worker's heartbeat writes (silent after 3 missed) |
/// | `WECOM_ECHO_AGENT` | 0 | with no Dify configured, answer with the built-in echo agent |
/// | `WECOM_BOT_ID`, `WECOM_BOT_SECRET` | unset | the default bot in long-connection mode (secret: never printed) |
/// | `WECOM_WS_URL` | `wss://openws.work.weixin.qq.com` | the long-connection endpoint |
/// | `WECOM_WS_CA_FILE` | unset | PEM file of CA certificates trusted besides the system's |
/// | `WECOM_WS_PING_INTERVAL` | 30 | seconds between heartbeats on a long connection |
/// | `WECOM_WS_LEASE` | 30 | seconds a process holds a bot's long connection between renewals |
/// | `WECOM_ENV_FILE` | `.env` | the `.env` file to read |
public struct Configuration: Sendable, Equatable, CustomStringConvertible {
    public var token: String?
    public var encodingAESKey: String?
    public var receiveID: String
    public var agentMapping: [String: String]
    public var difyBaseURL: String?
    public var difyAPIKey: String?
    public var databasePath: String
    /// A libpq connection string (URI or `key=value`) selecting the PostgreSQL backend; nil for
    /// SQLite at `databasePath`. May hold a password: never print it.
    public var databaseURL: String?
    /// The PostgreSQL schema holding every table.
    public var pgSchema: String
    public var thinkingText: String
    public var welcomeText: String?
    public var botName: String?
    public var difyIdleTimeout: Double
    public var difyTotalTimeout: Double
    public var streamDeadline: Double
    public var allowPrivateFetch: Bool
    public var responseURLAllow: [String]
    public var logLevel: String
    public var maxBodyBytes: Int
    public var wakeDirectory: String
    public var jobLease: Double
    public var jobMaxAttempts: Int
    public var streamFlushInterval: Double
    /// Seconds between two heartbeat writes of a worker; `wecomctl status` counts a worker silent
    /// after three periods without one.
    public var workerHeartbeat: Double
    public var echoAgent: Bool
    /// The default bot's BotID in long-connection mode; set together with `botSecret`.
    public var botID: String?
    /// The default bot's long-connection secret. Never print it.
    public var botSecret: String?
    /// The long-connection endpoint (`ws://` or `wss://`).
    public var wsURL: String
    /// A PEM file of CA certificates trusted besides the system's (a private deployment, tests).
    public var wsCAFile: String?
    public var wsPingInterval: Double
    public var wsLease: Double

    public static let defaultWSURL = "wss://openws.work.weixin.qq.com"

    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Loads from the process environment and the `.env` file it names (or `./.env`).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        let envFile = environment["WECOM_ENV_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? ".env"
        let fromFile = try DotEnvFile.load(path: envFile)
        return try Configuration(values: fromFile.merging(environment) { _, env in env })
    }

    /// Builds a configuration from already-merged values, validating every variable.
    public init(values: [String: String]) throws {
        let env = EnvironmentReader(values: values)
        token = env.nonEmpty("WECOM_TOKEN")
        encodingAESKey = try Self.aesKey(env.nonEmpty("WECOM_ENCODING_AES_KEY"))
        if (token == nil) != (encodingAESKey == nil) {
            throw ConfigurationError(variable: token == nil ? "WECOM_TOKEN" : "WECOM_ENCODING_AES_KEY",
                                     reason: "must be set together with \(token == nil ? "WECOM_ENCODING_AES_KEY" : "WECOM_TOKEN")")
        }
        receiveID = env.string("WECOM_RECEIVE_ID") ?? ""
        agentMapping = try AgentMapping.parse(env.string(AgentMapping.variable))
        difyBaseURL = try env.httpURL("DIFY_API_BASE_URL")
        difyAPIKey = env.nonEmpty("DIFY_API_KEY")
        if difyBaseURL != nil && difyAPIKey == nil {
            throw ConfigurationError(variable: "DIFY_API_KEY", reason: "must be set when DIFY_API_BASE_URL is set")
        }
        databasePath = env.nonEmpty("WECOM_DB_PATH") ?? "var/wecom-bot.sqlite3"
        databaseURL = env.nonEmpty("WECOM_DATABASE_URL")
        pgSchema = env.nonEmpty("WECOM_PG_SCHEMA") ?? "wecom_bot"
        guard Self.isSchemaName(pgSchema) else {
            throw ConfigurationError(variable: "WECOM_PG_SCHEMA",
                                     reason: "must be a lowercase identifier: a letter or _, then letters, digits or _, at most 63, not starting with pg_")
        }
        thinkingText = env.string("WECOM_THINKING_TEXT") ?? ""
        welcomeText = env.nonEmpty("WECOM_WELCOME_TEXT")
        botName = env.nonEmpty("WECOM_BOT_NAME")
        difyIdleTimeout = try env.seconds("WECOM_DIFY_IDLE_TIMEOUT", default: 60)
        difyTotalTimeout = try env.seconds("WECOM_DIFY_TOTAL_TIMEOUT", default: 1260)
        streamDeadline = try env.seconds("WECOM_STREAM_DEADLINE", default: 330)
        if streamDeadline >= 360 {
            throw ConfigurationError(variable: "WECOM_STREAM_DEADLINE", reason: "must be below 360 (WeCom stops polling 6 minutes after the message)")
        }
        allowPrivateFetch = try env.flag("WECOM_ALLOW_PRIVATE_FETCH", default: false)
        responseURLAllow = try Self.origins(env.nonEmpty("WECOM_RESPONSE_URL_ALLOW"))
        logLevel = (env.nonEmpty("WECOM_LOG_LEVEL") ?? "info").lowercased()
        guard Self.logLevels.contains(logLevel) else {
            throw ConfigurationError(variable: "WECOM_LOG_LEVEL", reason: "must be one of \(Self.logLevels.joined(separator: ", "))")
        }
        maxBodyBytes = try env.integer("WECOM_MAX_BODY_BYTES", default: 262_144, in: 1024...(64 << 20))
        wakeDirectory = env.nonEmpty("WECOM_WAKE_DIR")
            ?? ((databasePath as NSString).deletingLastPathComponent.isEmpty ? "wake"
                : (databasePath as NSString).deletingLastPathComponent + "/wake")
        jobLease = try env.seconds("WECOM_JOB_LEASE", default: 30)
        jobMaxAttempts = try env.integer("WECOM_JOB_MAX_ATTEMPTS", default: 3, in: 1...100)
        streamFlushInterval = try env.seconds("WECOM_STREAM_FLUSH_INTERVAL", default: 0.1, allowZero: true)
        workerHeartbeat = try env.seconds("WECOM_WORKER_HEARTBEAT", default: 5)
        echoAgent = try env.flag("WECOM_ECHO_AGENT", default: false)
        botID = env.nonEmpty("WECOM_BOT_ID")
        botSecret = env.nonEmpty("WECOM_BOT_SECRET")
        if (botID == nil) != (botSecret == nil) {
            throw ConfigurationError(variable: botID == nil ? "WECOM_BOT_ID" : "WECOM_BOT_SECRET",
                                     reason: "must be set together with \(botID == nil ? "WECOM_BOT_SECRET" : "WECOM_BOT_ID")")
        }
        wsURL = try env.url("WECOM_WS_URL", schemes: ["ws", "wss"]) ?? Self.defaultWSURL
        wsCAFile = env.nonEmpty("WECOM_WS_CA_FILE")
        if let path = wsCAFile, !FileManager.default.isReadableFile(atPath: path) {
            throw ConfigurationError(variable: "WECOM_WS_CA_FILE", reason: "must name a readable PEM file of CA certificates")
        }
        wsPingInterval = try env.seconds("WECOM_WS_PING_INTERVAL", default: 30)
        wsLease = try env.seconds("WECOM_WS_LEASE", default: 30)
    }

    /// The default bot is configured when both its token and key are set.
    public var hasDefaultBot: Bool { token != nil && encodingAESKey != nil }

    /// The default bot connects out over a WebSocket when its BotID and secret are both set.
    public var hasDefaultLongConnectionBot: Bool { botID != nil && botSecret != nil }

    /// A summary safe for logs: which secrets are set, never what they are.
    public var description: String {
        "Configuration(defaultBot: \(hasDefaultBot ? "set" : "unset"), difyBaseURL: \(difyBaseURL ?? "unset"), "
            + "difyAPIKey: \(difyAPIKey == nil ? "unset" : "set"), "
            + (databaseURL == nil ? "db: \(databasePath), " : "db: PostgreSQL (WECOM_DATABASE_URL set), schema: \(pgSchema), ")
            + "mappings: \(agentMapping.count), "
            + (hasDefaultLongConnectionBot ? "longConnectionBot: \(botID ?? ""), wsURL: \(wsURL), " : "")
            + "logLevel: \(logLevel))"
    }

    /// A lowercase identifier, so that operators need no quoting in `psql`; not `pg_…`, which
    /// PostgreSQL reserves.
    static func isSchemaName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, !name.hasPrefix("pg_") else { return false }
        let lower = UInt8(ascii: "a")...UInt8(ascii: "z"), digit = UInt8(ascii: "0")...UInt8(ascii: "9")
        let underscore = UInt8(ascii: "_")
        return (lower.contains(first) || first == underscore)
            && bytes.allSatisfy { lower.contains($0) || digit.contains($0) || $0 == underscore }
    }

    private static func aesKey(_ raw: String?) throws -> String? {
        guard let raw else { return nil }
        let name = "WECOM_ENCODING_AES_KEY"
        // The crypto's own rule, so a key that passes here is one the crypto accepts.
        do {
            _ = try EncodingAESKeyFormat.keyBytes(raw)
        } catch let .length(count) {
            throw ConfigurationError(variable: name, reason: "must be exactly 43 characters (got \(count))")
        } catch {
            throw ConfigurationError(variable: name, reason: "must be letters and digits that decode to a 32-byte AES key")
        }
        return raw
    }

    private static func origins(_ raw: String?) throws -> [String] {
        guard let raw else { return [] }
        return try raw.split(separator: ",").map { part in
            let origin = part.trimmingCharacters(in: .whitespaces)
            guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()),
                  url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil else {
                throw ConfigurationError(variable: "WECOM_RESPONSE_URL_ALLOW",
                                         reason: "must be comma-separated origins such as http://127.0.0.1:8080")
            }
            return origin.hasSuffix("/") ? String(origin.dropLast()) : origin
        }
    }
}
