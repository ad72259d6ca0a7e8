/// The wait before each reconnect: 1 s, doubling to a 30 s cap (docs/wecom-protocol.md §8.1),
/// each shortened by up to `jitter` of itself so that many bots that lost one network do not
/// all come back in the same instant. A successful subscription resets it.
public struct ReconnectBackoff: Sendable, Equatable {
    public var first: Duration
    public var cap: Duration
    /// The largest fraction taken off a wait (0 for none).
    public var jitter: Double
    private var failures = 0

    public init(first: Duration = .seconds(1), cap: Duration = .seconds(30), jitter: Double = 0.2) {
        precondition(first > .zero && cap >= first && (0...1).contains(jitter))
        self.first = first
        self.cap = cap
        self.jitter = jitter
    }

    /// The wait before the next attempt. `unit` is a random number in 0..<1: 0 keeps the full
    /// doubling wait, values near 1 take `jitter` of it off.
    public mutating func next(unit: Double) -> Duration {
        var nominal = first
        for _ in 0..<min(failures, 32) where nominal < cap { nominal *= 2 }
        failures += 1
        return min(nominal, cap) * (1 - jitter * min(max(unit, 0), 1))
    }

    public mutating func reset() { failures = 0 }
}
