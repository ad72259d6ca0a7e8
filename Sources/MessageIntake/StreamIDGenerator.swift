#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import WeComCrypto

/// Stream ids: `s`, the creation time in microseconds as 10 base-62 digits, then 13 random
/// alphanumerics (24 characters, about 77 random bits).
///
/// The time prefix makes ids sort in creation order, so the B-tree indexes keyed by stream id
/// (`streams`, `jobs.stream_id`) grow at their right edge: consecutive new
/// messages dirty the same index pages instead of a random one each, which the WAL and every
/// checkpoint write in full. The random part keeps ids unguessable and unique across processes.
/// Nothing parses the time back: it only orders.
final class StreamIDGenerator: Sendable {
    static let shared = StreamIDGenerator()
    static let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    static let timeDigits = 10
    static let randomCharacters = 13

    /// Microseconds since the epoch; the last one handed out, so ids of one process never go back.
    private let last = Atomic<Int64>(0)
    private let microseconds: @Sendable () -> Int64

    init(microseconds: @escaping @Sendable () -> Int64 = StreamIDGenerator.realtimeMicroseconds) {
        self.microseconds = microseconds
    }

    func next() -> String {
        var stamp = microseconds()
        // Strictly increasing within the process, even if the wall clock steps back.
        while true {
            let previous = last.load(ordering: .relaxed)
            if stamp <= previous { stamp = previous + 1 }
            if last.compareExchange(expected: previous, desired: stamp, ordering: .relaxed).exchanged { break }
        }
        return "s" + Self.base62(stamp) + SecureRandom.alphanumeric(Self.randomCharacters)
    }

    /// `value` (non-negative) as exactly `timeDigits` base-62 digits in ASCII order, so string
    /// order is numeric order.
    static func base62(_ value: Int64) -> String {
        var value = max(0, value)
        var out = [UInt8](repeating: digits[0], count: timeDigits)
        for index in stride(from: timeDigits - 1, through: 0, by: -1) {
            out[index] = digits[Int(value % 62)]
            value /= 62
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Sendable static func realtimeMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }
}
