import DifyClient

/// What the runners tell the process's metrics about the jobs they run. Passed in (the
/// executable's Prometheus families, a recorder in tests, or nothing); every call must be
/// cheap, as runners make them on the answer path.
public protocol JobMetrics: Sendable {
    /// A claimed job starts, `waited` after its message arrived.
    func jobStarted(waited: Duration)
    /// A job's attempt ended with `outcome`, `took` after it started.
    func jobFinished(_ outcome: JobEnd, took: Duration)
    func answerFallback(_ fallback: AnswerFallback)
    /// The first answer text came `after` the request to Dify was sent.
    func firstToken(after: Duration)
    func difyError(_ kind: DifyErrorKind)
    /// One of the user's media files downloaded from WeCom (or not).
    func mediaDownload(succeeded: Bool)
}

/// How a job's attempt ended; the raw values are the metric's label values.
public enum JobEnd: String, Sendable, CaseIterable {
    case answered
    /// The attempt failed and the job is queued again for a later one.
    case failed
    /// The last attempt failed: the user was told, and the job will not run again by itself.
    case dead
    /// Handed back to the queue at shutdown.
    case released
    case leaseLost = "lease_lost"
}

/// An answer that could not simply finish in its stream.
public enum AnswerFallback: String, Sendable, CaseIterable {
    /// The stream was closed at `WECOM_STREAM_DEADLINE` with a "still working" notice.
    case deadline
    /// The answer (or what the stream could not carry) was posted to response_url.
    case lateDelivery = "late_delivery"
}

/// A Dify failure in the few classes an operator acts on differently.
public enum DifyErrorKind: String, Sendable, CaseIterable {
    case connect, timeout
    case http4xx = "http_4xx", http5xx = "http_5xx"
    case rateLimited = "rate_limited"
    case errorEvent = "error_event"
    case truncated
    case invalidResponse = "invalid_response"
    case other

    public init(_ error: DifyError) {
        switch error {
        case .unreachable: self = .connect
        case .idleTimeout, .totalTimeout: self = .timeout
        case let .http(status, _, _):
            switch status {
            case 429: self = .rateLimited
            case 400...499: self = .http4xx
            case 500...599: self = .http5xx
            default: self = .other
            }
        case .streamError: self = .errorEvent
        case .truncated: self = .truncated
        case .invalidResponse: self = .invalidResponse
        }
    }
}

/// No metrics (`--metrics` not given).
public struct NoJobMetrics: JobMetrics {
    public init() {}
    public func jobStarted(waited: Duration) {}
    public func jobFinished(_ outcome: JobEnd, took: Duration) {}
    public func answerFallback(_ fallback: AnswerFallback) {}
    public func firstToken(after: Duration) {}
    public func difyError(_ kind: DifyErrorKind) {}
    public func mediaDownload(succeeded: Bool) {}
}
