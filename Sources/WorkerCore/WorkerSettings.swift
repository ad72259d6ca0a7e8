import BotConfig

/// The worker's knobs, taken from the configuration once.
public struct WorkerSettings: Sendable {
    public var lease: Double
    public var flushInterval: Double
    public var idleTimeout: Double
    public var totalTimeout: Double
    public var streamDeadline: Double
    public var allowPrivateFetch: Bool
    public var responseURLAllow: [String]
    /// Largest inbound media file fetched from WeCom.
    public var maxMediaBytes = 20 << 20
    /// Largest answer image kept (WeCom's limit for `msg_item`).
    public var maxImageBytes = 10 << 20
    public var maxImages = 10
    /// Seconds for one download (media or answer image), and the redirects it may follow.
    public var fetchTimeout: Double = 30
    public var maxRedirects = 3
    /// Seconds for one upload to Dify.
    public var uploadTimeout: Double = 120
    public var retry = RetryPolicy()

    public init(configuration c: Configuration) {
        lease = c.jobLease
        flushInterval = c.streamFlushInterval
        idleTimeout = c.difyIdleTimeout
        totalTimeout = c.difyTotalTimeout
        streamDeadline = c.streamDeadline
        allowPrivateFetch = c.allowPrivateFetch
        responseURLAllow = c.responseURLAllow
    }
}
