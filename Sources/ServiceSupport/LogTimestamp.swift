#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `YYYY-MM-DDTHH:MM:SS±hhmm` in local time, formatted at most once per second per process.
///
/// The cache is guarded by an `NSLock` (a pthread mutex), not by Synchronization's `Mutex`: the
/// pre-fork master logs before it forks, and in a child whose serving threads then logged at
/// the same time that `Mutex` crashed the process ("Unknown error occurred while attempting to
/// acquire a Mutex", then "Call to unlock Mutex on a thread which hasn't acquired the lock").
final class LogTimestamp: @unchecked Sendable {
    // @unchecked: `cached` is only read and written with `lock` held.
    static let shared = LogTimestamp()

    private let lock = NSLock()
    private var cached: (second: Int, text: [UInt8]) = (-1, [])

    private init() {
        tzset()  // once: localtime_r then uses the loaded zone without re-reading it
    }

    func current() -> [UInt8] {
        let now = time(nil)
        lock.lock()
        defer { lock.unlock() }
        if cached.second != now {
            cached = (now, Self.format(now))
        }
        return cached.text
    }

    static func format(_ seconds: time_t) -> [UInt8] {
        var seconds = seconds
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return Array("<unknown>".utf8) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return buffer.prefix(count).map { UInt8(bitPattern: $0) }
    }
}
