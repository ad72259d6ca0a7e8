#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where `LineLogHandler` puts its finished lines: straight to the file descriptor, or, once
/// `enable()`d in a serving process, gathered and written several lines at a time.
///
/// Each request logs one line, and one `write(2)` per line to a log file that several
/// processes append to is a large share of a new message's cost (bench/README.md). Enabled,
/// lines below `warning` wait here until the
/// next would pass ``capacity`` or until ``flush()`` (the responder flushes every 100 ms and at
/// stop); a warning or error is written at once, after everything that waited, so order is
/// kept and problems are never late. Every write holds whole lines and at most ``capacity``
/// bytes (one line longer than that alone), so lines of different processes never interleave,
/// on a pipe (PIPE_BUF is 4096) as in a file. What a process killed by SIGKILL had gathered
/// (at most 100 ms of routine lines) is lost, as with nginx's `access_log … buffer=`.
public final class LogLineBuffer: @unchecked Sendable {
    // @unchecked: `pending` and `enabled` are only read and written with `lock` held.

    /// The buffer of standard error, which every service process logs to.
    public static let standardError = LogLineBuffer(fd: 2)

    public static let capacity = 4096

    private let fd: Int32
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var enabled = false

    public init(fd: Int32) {
        self.fd = fd
    }

    /// From now on routine lines are gathered (in this process: call it after any fork).
    public func enable() {
        lock.lock()
        defer { lock.unlock() }
        enabled = true
        pending.reserveCapacity(Self.capacity)
    }

    /// Writes what waits and writes every later line at once.
    public func disable() {
        lock.lock()
        defer { lock.unlock() }
        writePending()
        enabled = false
    }

    /// Writes what waits.
    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        writePending()
    }

    /// One finished line, ending in a newline. `urgent` lines (warnings and errors) are written
    /// at once, after whatever waited.
    func submit(_ line: [UInt8], urgent: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if pending.count + line.count > Self.capacity { writePending() }
        guard enabled, !urgent, line.count <= Self.capacity else {
            if pending.isEmpty {
                write(line)
            } else {
                pending.append(contentsOf: line)  // fits: pending was written above otherwise
                writePending()
            }
            return
        }
        pending.append(contentsOf: line)
    }

    private func writePending() {
        guard !pending.isEmpty else { return }
        write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// All of `bytes`, retrying partial writes and EINTR; a failing descriptor drops them.
    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 { offset += written } else if written < 0, errno == EINTR { continue } else { return }
            }
        }
    }
}
