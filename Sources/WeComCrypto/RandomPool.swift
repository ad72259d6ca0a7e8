import Synchronization

/// `RAND_bytes` output fetched 1 KiB at a time and handed out once each, for the many small
/// draws of the request path (16 bytes of every encrypted reply, 13 characters of every stream
/// id). Each `RAND_bytes` call runs OpenSSL's provider, DRBG and lock machinery whatever its
/// size, which is a large share of a stream refresh's own work (bench/README.md).
///
/// Every byte is used once. The pool belongs to the process that filled it: after a `fork`
/// the child finds another ``ForkGeneration`` and fetches its own, so parent and child never
/// draw the same bytes (OpenSSL's own generator reseeds on fork for the same reason).
final class RandomPool: Sendable {
    static let shared = RandomPool()
    static let size = 1024

    private struct State {
        var bytes: [UInt8] = []
        var position = 0
        var owner: Int?
        var refills = 0
    }

    private let state = Mutex(State())
    private let process: @Sendable () -> Int

    /// `process` tells which process is drawing (tests simulate a fork by changing it).
    init(process: @escaping @Sendable () -> Int = { ForkGeneration.current }) {
        self.process = process
    }

    /// How many times the pool fetched from OpenSSL (for tests).
    var refills: Int { state.withLock { $0.refills } }

    /// `n` random bytes (at most ``size``; larger draws go to `SecureRandom.bytes` directly).
    func take(_ n: Int) -> [UInt8] {
        guard n <= Self.size else { return SecureRandom.bytes(n) }
        let current = process()
        return state.withLock { state in
            if state.owner != current || state.bytes.count - state.position < n {
                state.bytes = SecureRandom.bytes(Self.size)
                state.position = 0
                state.owner = current
                state.refills += 1
            }
            defer { state.position += n }
            return Array(state.bytes[state.position..<state.position + n])
        }
    }
}
