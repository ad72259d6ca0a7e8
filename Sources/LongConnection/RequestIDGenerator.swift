import Synchronization

/// Unique `req_id`s for the requests the bot originates (subscribe, ping, pushes, uploads):
/// `<cmd>_<random>_<counter>`. The counter keeps them unique within the process; the random part,
/// drawn once per generator, keeps them apart across processes, hosts and restarts, so that an
/// ack can never be matched to another process's request. Replies reuse the callback's `req_id`.
public final class RequestIDGenerator: Sendable {
    private let token: String
    private let counter = Mutex<UInt64>(0)

    public convenience init() {
        var generator = SystemRandomNumberGenerator()
        self.init(token: UInt64.random(in: .min ... .max, using: &generator))
    }

    /// A fixed random part, for tests.
    public init(token: UInt64) {
        let hex = String(token, radix: 16)
        self.token = String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func next(_ command: FrameCommand) -> String {
        let n = counter.withLock { value in
            value += 1
            return value
        }
        return "\(command.rawValue)_\(token)_\(n)"
    }
}
