/// When a lost connection may try to connect again: at once after it was lost, then after
/// 0.1 s, doubling up to `maximum` while attempts keep failing. In between, calls fail at once
/// instead of each waiting for a connect timeout, so a responder answers "try again later" in
/// microseconds while the database is down, and a worker's threads do not pile up on it.
struct ReconnectBackoff {
    static let first = 0.1
    let maximum: Double
    /// When the next attempt may start (a monotonic time in seconds); nil: now.
    private(set) var nextAttempt: Double?
    private var delay = Self.first

    init(maximum: Double = 2) {
        self.maximum = maximum
    }

    /// Seconds until an attempt may start at `now`; 0 when it may start now.
    func wait(at now: Double) -> Double {
        nextAttempt.map { max(0, $0 - now) } ?? 0
    }

    mutating func failed(at now: Double) {
        nextAttempt = now + delay
        delay = min(delay * 2, maximum)
    }

    mutating func succeeded() {
        nextAttempt = nil
        delay = Self.first
    }
}
