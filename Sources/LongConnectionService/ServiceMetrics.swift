import LongConnection

/// What `wecom-ws` reports for its metrics: each session's frames, acks and reconnects, and how
/// many bots this process holds. The executable keeps the numbers; tests record them.
public protocol ServiceMetrics: SessionMetrics {
    /// The bots whose connection lease this process holds now (each with a session running).
    func botsHeld(_ count: Int)
}

/// Reports nothing: a `wecom-ws` without `--metrics`.
public struct NoServiceMetrics: ServiceMetrics {
    public init() {}
    public func sent(_ command: FrameCommand) {}
    public func received(_ command: FrameCommand) {}
    public func acked(_ command: FrameCommand, errcode: Int) {}
    public func ackTimedOut(_ command: FrameCommand) {}
    public func reconnecting() {}
    public func subscription(up: Bool) {}
    public func botsHeld(_ count: Int) {}
}
