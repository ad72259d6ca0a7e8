import LongConnection

/// What `wecom-ws` reports for its metrics: each session's frames, acks and reconnects, and how
/// many bots this process holds. The executable keeps the numbers.
public protocol ServiceMetrics: SessionMetrics {
    /// The bots whose connection lease this process holds now (each with a session running).
    func botsHeld(_ count: Int)
}

/// Reports nothing: a `wecom-ws` without `--metrics`.
extension NoSessionMetrics: ServiceMetrics {
    public func botsHeld(_ count: Int) {}
}
