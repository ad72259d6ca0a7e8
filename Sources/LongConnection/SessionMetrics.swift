/// What a ``BotSession`` reports as it goes, for the process's metrics: frames on the wire, the
/// acks they got, reconnects and whether it is subscribed. Passed in, so that this module knows
/// nothing of how the numbers are kept and tests can look at what was reported.
public protocol SessionMetrics: Sendable {
    /// A request frame went out (written to the connection).
    func sent(_ command: FrameCommand)
    /// A frame WeCom pushed (a callback) came in.
    func received(_ command: FrameCommand)
    /// The ack of a request with `command` came back with `errcode` (0: done).
    func acked(_ command: FrameCommand, errcode: Int)
    /// No ack came within the ack timeout.
    func ackTimedOut(_ command: FrameCommand)
    /// A connection went down and the session waited and is connecting again.
    func reconnecting()
    /// The session's subscription went up (true) or its subscribed connection ended (false).
    func subscription(up: Bool)
}

/// Reports nothing: for sessions whose process keeps no metrics.
public struct NoSessionMetrics: SessionMetrics {
    public init() {}
    public func sent(_ command: FrameCommand) {}
    public func received(_ command: FrameCommand) {}
    public func acked(_ command: FrameCommand, errcode: Int) {}
    public func ackTimedOut(_ command: FrameCommand) {}
    public func reconnecting() {}
    public func subscription(up: Bool) {}
}
