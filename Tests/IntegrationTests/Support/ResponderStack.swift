import Foundation
import StoreTestSupport

/// The request path as deployed: a real nginx in front of real `wecom-fcgi` processes
/// (several instances, each pre-forking), sharing one temporary SQLite file or one PostgreSQL
/// schema of their own.
final class ResponderStack {
    let scratch: String
    let database: StackDatabase
    var backend: Backend { database.backend }
    /// The SQLite file (on PostgreSQL, a path nothing creates).
    var databasePath: String { database.sqlitePath }
    let nginx: NginxFixture
    let responders: [ChildProcess]
    /// `wecom-worker` processes started with `startWorker`.
    private(set) var workers: [ChildProcess] = []
    let environment: [String: String]

    /// - Parameters:
    ///   - instances: separate `wecom-fcgi` masters, each on its own socket (nginx round-robins).
    ///   - processes: `--processes` for each master.
    ///   - threads: `--threads` for each master (nil: the default).
    ///   - environment: configuration on top of the test defaults.
    ///   - backend: the store (PostgreSQL: a fresh schema on the test server, dropped at the end).
    ///   - arguments: added to each master's command line.
    init(instances: Int = 2, processes: Int = 2, threads: Int? = nil, environment: [String: String] = [:],
         backend: Backend = .sqlite, arguments: [String] = []) throws {
        scratch = try TestPaths.scratch()
        database = try StackDatabase(backend, folder: scratch)
        var env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "WECOM_ENV_FILE": scratch + "/no.env",
            "WECOM_LOG_LEVEL": "info",
        ]
        env.merge(database.environment) { _, new in new }
        env.merge(environment) { _, new in new }
        self.environment = env
        let binary = try TestPaths.binary("wecom-fcgi")
        var started: [ChildProcess] = []
        var sockets: [String] = []
        for i in 0..<instances {
            let socket = scratch + "/fcgi-\(i).sock"
            sockets.append(socket)
            started.append(try ChildProcess(
                name: "wecom-fcgi-\(i)", executable: binary,
                arguments: ["--socket", "unix:" + socket, "--processes", String(processes), "--socket-mode", "666"]
                    + (threads.map { ["--threads", String($0)] } ?? []) + arguments,
                environment: env, directory: scratch, logPath: scratch + "/wecom-fcgi-\(i).log"))
        }
        responders = started
        for (i, socket) in sockets.enumerated() {
            let child = started[i]
            try waitUntil("wecom-fcgi-\(i) socket") {
                if !child.isRunning { return true }
                return FileManager.default.fileExists(atPath: socket)
            }
            guard child.isRunning else { throw FixtureError("wecom-fcgi-\(i) exited: \(child.log)") }
        }
        nginx = try NginxFixture(prefix: scratch + "/nginx", fcgiSockets: sockets)
    }

    var port: Int { nginx.port }

    /// Runs SQL through the real `sqlite3` command-line shell, as an operator would.
    @discardableResult
    func sqlite(_ sql: String) throws -> String {
        guard let sqlite3 = which("sqlite3") else { throw FixtureError("sqlite3 is not installed") }
        return try runCommand(sqlite3, ["-batch", "-noheader", "-cmd", ".timeout 5000", databasePath, sql])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL that both dialects understand with the operator's shell of the stack's backend
    /// (`sqlite3` or `psql`).
    @discardableResult
    func sql(_ sql: String) throws -> String { try database.query(sql) }

    /// A full text dump of the database, to prove a rejected request wrote nothing.
    func dump() throws -> String { try database.dump() }

    /// All responder and worker log output so far.
    var logs: String { (responders + workers).map(\.log).joined(separator: "\n") }

    /// Starts a `wecom-worker` process on the same database and waits until it listens for
    /// new jobs; `arguments` are added to its command line, `environment` to its environment.
    @discardableResult
    func startWorker(concurrency: Int = 4, grace: Double = 5, arguments: [String] = [],
                     environment extra: [String: String] = [:]) throws -> ChildProcess {
        let worker = try WorkerProcess.start(index: workers.count, database: database,
                                             environment: environment.merging(extra) { _, new in new },
                                             scratch: scratch, concurrency: concurrency, grace: grace, arguments: arguments)
        workers.append(worker)
        return worker
    }

    /// The `application_name` of the connections of the `index`-th worker started (PostgreSQL).
    func workerApplicationName(_ index: Int) -> String {
        WorkerProcess.applicationName(index, database: database)
    }

    /// Waits until `sql` (a single value) returns `expected`.
    func waitForSQL(_ sql: String, toBe expected: String, timeout: Double = 15) throws {
        try database.waitFor(sql, toBe: expected, timeout: timeout, logs: logs)
    }

    func stop() {
        for w in workers { w.stop() }
        nginx.stop()
        for r in responders { r.stop() }
    }

    deinit {
        stop()
        database.drop()
        try? FileManager.default.removeItem(atPath: scratch)
    }
}
