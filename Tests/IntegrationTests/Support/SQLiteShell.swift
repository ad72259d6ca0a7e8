import Foundation

/// The `sqlite3` command-line shell open on a database, fed statements on its standard input
/// as an operator types them (so a transaction it begins stays open until told otherwise).
/// Its output goes to a file; `stop()` (or release) ends its input and reaps it, which rolls
/// back whatever it left open.
final class SQLiteShell {
    private let process = Process()
    private let input = Pipe()
    let logPath: String

    init(databasePath: String, logPath: String) throws {
        guard let sqlite3 = which("sqlite3") else { throw FixtureError("sqlite3 is not installed") }
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: sqlite3)
        process.arguments = ["-batch", databasePath]
        process.standardInput = input
        process.standardOutput = log
        process.standardError = log
        try withEmptySignalMask { try process.run() }
    }

    /// Types one line (a statement or a dot-command).
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
