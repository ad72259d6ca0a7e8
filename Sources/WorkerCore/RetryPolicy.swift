/// When a failed job runs again. Pure: the caller passes the attempt number and a random
/// value, so the schedule is testable without waiting.
public struct RetryPolicy: Sendable {
    /// Delay before the second attempt; doubles per attempt.
    public var base: Double = 2
    /// Longest delay between attempts.
    public var cap: Double = 60

    public init(base: Double = 2, cap: Double = 60) {
        self.base = base
        self.cap = cap
    }

    /// Seconds to wait after failed attempt `attempt` (1-based), with "equal jitter":
    /// half the exponential delay fixed, half scaled by `jitter` ∈ [0, 1].
    public func delay(afterAttempt attempt: Int, jitter: Double) -> Double {
        let exponential = min(cap, base * Double(1 << min(max(attempt - 1, 0), 20)))
        return exponential / 2 + exponential / 2 * min(max(jitter, 0), 1)
    }

    /// Whether a failure is worth another attempt: transient, nothing shown to the user yet,
    /// and attempts left.
    public func shouldRetry(transient: Bool, answerStarted: Bool, attempts: Int, maxAttempts: Int) -> Bool {
        transient && !answerStarted && attempts < maxAttempts
    }
}
