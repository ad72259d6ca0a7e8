import DifyStandIn
import Foundation
import StoreTestSupport
import WeComWSStandIn

/// Long-connection mode as deployed: a stand-in WeCom long-connection server, the stand-in Dify,
/// `wecom-ws` processes (the holder and its standbys) and `wecom-worker` processes, sharing one
/// SQLite file or PostgreSQL schema. The default bot is the stand-in's `standin-bot`
/// (`WECOM_BOT_ID`/`WECOM_BOT_SECRET`).
final class LongConnectionStack {
    let scratch: String
    let database: StackDatabase
    var backend: Backend { database.backend }
    let dify: DifyStandIn
    let wecom: WeComWSStandIn
    let environment: [String: String]
    private(set) var holders: [ChildProcess] = []
    private(set) var workers: [ChildProcess] = []
    static let botID = "standin-bot"
    static let secret = "standin-secret"

    /// - Parameters:
    ///   - bots: the BotIDs and secrets the stand-in accepts.
    ///   - environment: configuration on top of the test defaults (a 2-s lease, 50-ms flushes).
    ///   - tls: the stand-in speaks TLS with a certificate of a test CA that `wecom-ws` trusts
    ///     through `WECOM_WS_CA_FILE`.
    init(backend: Backend = .sqlite, bots: [String: String] = [botID: secret], environment: [String: String] = [:],
         tls: Bool = false) throws {
        scratch = try TestPaths.scratch()
        database = try StackDatabase(backend, folder: scratch)
        dify = try DifyStandIn()
        var caFile: String?
        if tls {
            let authority = try TestCertificateAuthority()
            caFile = authority.certificateFile
            wecom = try WeComWSStandIn(bots: bots, tls: try authority.issueServerCertificate(name: "localhost"))
        } else {
            wecom = try WeComWSStandIn(bots: bots)
        }
        var env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "WECOM_ENV_FILE": scratch + "/no.env",
            "WECOM_LOG_LEVEL": "info",
            "WECOM_BOT_ID": Self.botID, "WECOM_BOT_SECRET": Self.secret,
            "WECOM_WS_URL": wecom.url, "WECOM_WS_LEASE": "2",
            "DIFY_API_BASE_URL": dify.apiBaseURL, "DIFY_API_KEY": "app-standin-test-key",
            "WECOM_ALLOW_PRIVATE_FETCH": "1", "WECOM_STREAM_FLUSH_INTERVAL": "0.05",
        ]
        if let caFile { env["WECOM_WS_CA_FILE"] = caFile }
        env.merge(database.environment) { _, new in new }
        env.merge(environment) { _, new in new }
        self.environment = env
    }

    /// Starts a `wecom-worker` on the stack's store.
    @discardableResult
    func startWorker(concurrency: Int = 4) throws -> ChildProcess {
        let worker = try WorkerProcess.start(index: workers.count, database: database, environment: environment,
                                             scratch: scratch, concurrency: concurrency)
        workers.append(worker)
        return worker
    }

    /// Starts a `wecom-ws` (with `arguments`, e.g. `--metrics`) and waits for its start-up line
    /// (the store is migrated by then).
    @discardableResult
    func startHolder(environment extra: [String: String] = [:], arguments: [String] = []) throws -> ChildProcess {
        let index = holders.count
        let holder = try ChildProcess(
            name: "wecom-ws-\(index)", executable: try TestPaths.binary("wecom-ws"), arguments: arguments,
            environment: environment.merging(extra) { _, new in new }, directory: scratch,
            logPath: scratch + "/wecom-ws-\(index).log")
        holders.append(holder)
        try waitUntil("wecom-ws-\(index) started") { !holder.isRunning || holder.log.contains("wecom-ws started") }
        guard holder.isRunning else { throw FixtureError("wecom-ws-\(index) exited: \(holder.log)") }
        return holder
    }

    /// `wecomctl` on the stack's store, with the stack's configuration (the default bot too).
    var wecomctl: WecomctlRunner {
        WecomctlRunner(directory: scratch, database: database.sqlitePath, extra: environment)
    }

    /// Runs SQL with the operator's shell of the stack's backend.
    @discardableResult
    func sql(_ sql: String) throws -> String { try database.query(sql) }

    /// Waits until `sql` (a single value) returns `expected`.
    func waitForSQL(_ sql: String, toBe expected: String, timeout: Double = 15) throws {
        try database.waitFor(sql, toBe: expected, timeout: timeout, logs: logs)
    }

    /// Every `wecom-ws` and worker log line so far.
    var logs: String { (holders + workers).map(\.log).joined(separator: "\n") }

    /// Stops the processes and the stand-ins and drops the database; the WebSocket server's
    /// event loop winds down in the background.
    func stop() {
        for holder in holders { holder.stop() }
        for worker in workers { worker.stop() }
        let wecom = wecom
        Task { try? await wecom.shutdown() }
        dify.stop()
        database.drop()
    }
}
