import Foundation

/// Runs the built `wecomctl` as an operator would, with its own environment (no `.env`), and
/// captures stdout, stderr and the exit status.
struct WecomctlRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// stdout and stderr together, for "never prints X" checks.
        var all: String { stdout + stderr }
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// A started `wecomctl` whose output can be watched while it runs.
    final class Running {
        let process = Process()
        let stdoutPath: String
        let stderrPath: String

        init(executable: String, arguments: [String], environment: [String: String], directory: String) throws {
            let id = UUID().uuidString.prefix(8)
            stdoutPath = directory + "/wecomctl-\(id).out"
            stderrPath = directory + "/wecomctl-\(id).err"
            for path in [stdoutPath, stderrPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = environment
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            process.standardInput = FileHandle.nullDevice
            try withEmptySignalMask { try process.run() }
        }

        /// What it printed to stdout so far.
        var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

        func wait() -> Result {
            process.waitUntilExit()
            let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
        }

        deinit {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(atPath: stdoutPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
        }
    }

    let environment: [String: String]
    let directory: String

    /// `database` becomes WECOM_DB_PATH; `extra` is added to the environment.
    init(directory: String, database: String, extra: [String: String] = [:]) {
        var env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "WECOM_ENV_FILE": directory + "/no.env",
            "WECOM_DB_PATH": database,
        ]
        env.merge(extra) { _, new in new }
        environment = env
        self.directory = directory
    }

    func start(_ arguments: [String]) throws -> Running {
        try Running(executable: try TestPaths.binary("wecomctl"), arguments: arguments, environment: environment,
                    directory: directory)
    }

    @discardableResult
    func run(_ arguments: String...) throws -> Result {
        try start(arguments).wait()
    }
}

/// Runs SQL on `database` with the `sqlite3` shell, as an operator would.
@discardableResult
func sqlite(_ database: String, _ sql: String) throws -> String {
    guard let sqlite3 = which("sqlite3") else { throw FixtureError("sqlite3 is not installed") }
    return try runCommand(sqlite3, ["-batch", "-noheader", "-cmd", ".timeout 5000", database, sql])
        .trimmingCharacters(in: .whitespacesAndNewlines)
}
