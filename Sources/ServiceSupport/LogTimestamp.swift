#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `YYYY-MM-DDTHH:MM:SS±hhmm` in local time, formatted at most once per second per process.
final class LogTimestamp: Sendable {
    static let shared = LogTimestamp()

    private let cache = Mutex<(second: Int, text: [UInt8])>((-1, []))

    private init() {
        tzset()  // once: localtime_r then uses the loaded zone without re-reading it
    }

    func current() -> [UInt8] {
        let now = time(nil)
        return cache.withLock { cached in
            if cached.second != now {
                cached = (now, Self.format(now))
            }
            return cached.text
        }
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
