import Dispatch
import Foundation

/// Readings from /proc for one process.
enum ProcStats {
    /// A `kB` (or count) field of /proc/PID/status: VmHWM (peak RSS), VmRSS, Threads.
    static func status(_ pid: Int32, _ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
        }
        return nil
    }

    /// utime + stime of /proc/PID/stat, in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// A real process started by the benchmark, its output in a log file.
final class Child {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String], logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        var empty = sigset_t(), previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() }
    }

    deinit { stop() }
}

/// Monotonic time in seconds (one clock for the stand-in's threads and the pollers).
func monotonic() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Waits until `condition` holds, checking every 5 ms; false on timeout.
@discardableResult
func wait(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = monotonic() + timeout
    while !condition() {
        if monotonic() > deadline { return false }
        usleep(5_000)
    }
    return true
}

/// Latency samples in seconds, summarised in milliseconds.
struct Samples {
    var values: [Double] = []
    mutating func add(_ seconds: Double) { values.append(seconds) }

    func percentile(_ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }

    /// `| n | p50 | p99 | max |` cells in milliseconds.
    var cells: String {
        "\(values.count) | \(ms(percentile(0.5))) | \(ms(percentile(0.99))) | \(ms(values.max() ?? .nan))"
    }
}

func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

func mb(_ kB: Int) -> String { String(format: "%.1f MB", Double(kB) / 1024) }

/// A target's verdict as results.md writes it.
func verdict(_ met: Bool) -> String { met ? "**met**" : "**missed**" }

/// Thread-safe records keyed by a string.
final class Recorder<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `values` is only touched under `lock`.
    private let lock = NSLock()
    private var values: [String: Value] = [:]
    func set(_ key: String, _ value: Value) { lock.lock(); values[key] = value; lock.unlock() }
    func get(_ key: String) -> Value? { lock.lock(); defer { lock.unlock() }; return values[key] }
}
