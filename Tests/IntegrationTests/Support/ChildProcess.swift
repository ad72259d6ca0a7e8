import Foundation

/// A real OS process started for a test, with its stderr captured to a file so tests can
/// read its log lines. Terminated (and reaped) by `stop()` or when released.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    let logPath: String

    init(name: String, executable: String, arguments: [String], environment: [String: String],
         directory: String, logPath: String) throws {
        self.name = name
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try withEmptySignalMask { try process.run() }
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Everything the process wrote so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the process to exit; returns its termination status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let hardDeadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < hardDeadline { usleep(5_000) }
        }
        return process.isRunning ? -1 : process.terminationStatus
    }

    deinit { if process.isRunning { stop(signal: SIGKILL) } }
}

/// Runs `body` with no signals blocked on this thread: a spawned child inherits the calling
/// thread's mask, and test-runner threads block SIGTERM, SIGINT and SIGCHLD, which real
/// supervisors (systemd, a shell) never do.
func withEmptySignalMask<T>(_ body: () throws -> T) rethrows -> T {
    var empty = sigset_t(), previous = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    return try body()
}

/// Polls `condition` every `interval` seconds (a few milliseconds) until it holds or `timeout` passes.
/// This awaits a condition; it is not a fixed sleep.
func waitUntil(timeout: Double = 10, interval: Double = 0.005, _ what: String, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        guard Date() < deadline else { throw FixtureError("timed out after \(timeout) s waiting for \(what)") }
        usleep(useconds_t(interval * 1_000_000))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion and returns its stdout (stderr folded into the error).
@discardableResult
func runCommand(_ executable: String, _ arguments: [String], input: String? = nil) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let inPipe = Pipe()
    p.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    try p.run()
    if let input {
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw FixtureError("\(executable) \(arguments.joined(separator: " ")) exited \(p.terminationStatus): "
                           + String(decoding: errData, as: UTF8.self))
    }
    return String(decoding: data, as: UTF8.self)
}

/// Finds a program on PATH (nginx lives in /usr/sbin).
func which(_ program: String) -> String? {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        + ["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"]
    return dirs.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
