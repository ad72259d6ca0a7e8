import Foundation
import StoreTestSupport

/// Starting a real `wecom-worker` for a test stack, whichever front end queues its jobs.
enum WorkerProcess {
    /// Starts the `index`-th worker of a stack on `database` and waits until it listens for new
    /// jobs (its wake socket; on PostgreSQL its `LISTEN` session).
    static func start(index: Int, database: StackDatabase, environment: [String: String], scratch: String,
                      concurrency: Int = 4, grace: Double = 5, arguments: [String] = []) throws -> ChildProcess {
        let tag = applicationName(index, database: database)
        let env = environment.merging(database.environment(applicationName: tag)) { _, new in new }
        let worker = try ChildProcess(
            name: "wecom-worker-\(index)", executable: try TestPaths.binary("wecom-worker"),
            arguments: ["--concurrency", String(concurrency), "--grace", String(grace)] + arguments,
            environment: env, directory: scratch, logPath: scratch + "/wecom-worker-\(index).log")
        let socket = scratch + "/wake/worker-\(worker.pid).sock"
        try waitUntil("wecom-worker-\(index) listening") {
            guard worker.isRunning else { return true }
            switch database.backend {
            case .sqlite: return FileManager.default.fileExists(atPath: socket)
            case .postgres: return (try? database.sessions(of: tag, where: "query LIKE 'LISTEN %'")) == 1
            }
        }
        guard worker.isRunning else { throw FixtureError("wecom-worker-\(index) exited: \(worker.log)") }
        return worker
    }

    /// The `application_name` of the connections of the `index`-th worker (PostgreSQL).
    static func applicationName(_ index: Int, database: StackDatabase) -> String {
        "\(database.schema ?? "sqlite")-worker-\(index)"
    }
}
