import Foundation

/// An operator's interactive database shell (`sqlite3`, `psql`) fed statements on its standard
/// input as an operator types them, so a transaction it begins stays open until told otherwise.
/// Its output goes to a file; `stop()` (or release) ends its input and reaps it, which rolls
/// back whatever it left open.
final class OperatorShell {
    private let process = Process()
    private let input = Pipe()
    let logPath: String

    init(executable: String, arguments: [String], logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = log
        process.standardError = log
        try withEmptySignalMask { try process.run() }
    }

    /// Types one line (a statement or a shell command).
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Everything the shell printed so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// The `sqlite3` command-line shell open on a database.
typealias SQLiteShell = OperatorShell

extension OperatorShell {
    convenience init(databasePath: String, logPath: String) throws {
        guard let sqlite3 = which("sqlite3") else { throw FixtureError("sqlite3 is not installed") }
        try self.init(executable: sqlite3, arguments: ["-batch", databasePath], logPath: logPath)
    }

    /// `psql` on a PostgreSQL stack's schema, its session tagged `applicationName`.
    convenience init(psql database: StackDatabase, applicationName: String, logPath: String) throws {
        guard let schema = database.schema, let url = database.connectionString(applicationName: applicationName) else {
            throw FixtureError("psql needs a PostgreSQL stack")
        }
        try self.init(executable: try StackDatabase.postgresTool("psql"), arguments: ["-X", "-q", "-d", url], logPath: logPath)
        send("SET search_path TO \(schema);")
    }
}
