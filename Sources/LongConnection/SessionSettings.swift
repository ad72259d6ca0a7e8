/// How a `BotSession` connects and keeps the connection alive (docs/wecom-protocol.md §8.1).
public struct SessionSettings: Sendable {
    /// `WECOM_WS_URL`.
    public var url: String
    /// `WECOM_WS_PING_INTERVAL`: the pause between one heartbeat's ack (or its timeout) and the next `ping`.
    public var pingInterval: Duration
    /// How long a request waits for its ack.
    public var ackTimeout: Duration
    /// Heartbeats in a row without an ack that make the connection count as dead.
    public var allowedMissedPings: Int
    /// How long connecting (TCP, TLS, the HTTP upgrade) may take before the attempt is abandoned.
    public var openTimeout: Duration
    /// The wait between attempts.
    public var backoff: ReconnectBackoff

    public static let defaultURL = "wss://openws.work.weixin.qq.com"

    public init(url: String = defaultURL, pingInterval: Duration = .seconds(30), ackTimeout: Duration = .seconds(5),
                allowedMissedPings: Int = 2, openTimeout: Duration = .seconds(15), backoff: ReconnectBackoff = ReconnectBackoff()) {
        precondition(pingInterval > .zero && ackTimeout > .zero && openTimeout > .zero && allowedMissedPings > 0)
        self.url = url
        self.pingInterval = pingInterval
        self.ackTimeout = ackTimeout
        self.allowedMissedPings = allowedMissedPings
        self.openTimeout = openTimeout
        self.backoff = backoff
    }
}
