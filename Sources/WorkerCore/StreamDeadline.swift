/// The 6-minute window: WeCom polls a stream for 6 minutes after the user's message, so the
/// worker closes the stream itself at `WECOM_STREAM_DEADLINE` and delivers the rest through
/// `response_url`. Pure function of the message time and the clock.
public struct StreamDeadline: Sendable, Equatable {
    /// Unix seconds after which the stream must be closed.
    public let closeAt: Double

    public init(messageAt: Int64, deadline: Double) {
        closeAt = Double(messageAt) + deadline
    }

    private init(closeAt: Double) {
        self.closeAt = closeAt
    }

    /// For a long-connection message: `wecom-ws` keeps that window, counted from its first frame.
    public static let never = StreamDeadline(closeAt: .infinity)

    public func hasPassed(now: Double) -> Bool { now >= closeAt }

    /// Seconds left before closing (never negative).
    public func remaining(now: Double) -> Double { max(0, closeAt - now) }
}
