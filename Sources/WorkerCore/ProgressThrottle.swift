/// Limits stream writes while an answer streams in: at most one write per `interval`
/// seconds, however many tokens arrive, and a lease renewal at least every `renewEvery`
/// seconds even when nothing new arrives. Pure: the caller passes the time.
public struct ProgressThrottle: Sendable {
    public let interval: Double
    public let renewEvery: Double
    private var lastWrite: Double
    private var pending = false

    public init(interval: Double, renewEvery: Double, start: Double) {
        self.interval = interval
        self.renewEvery = renewEvery
        lastWrite = start - interval
    }

    public enum Action: Equatable, Sendable { case none, writeContent, renewLease }

    /// New content arrived at `now`: write it if the interval has passed, else hold it.
    public mutating func contentChanged(now: Double) -> Action {
        pending = true
        return tick(now: now)
    }

    /// Time passed without new content (a ping, or the idle check).
    public mutating func tick(now: Double) -> Action {
        if pending && now - lastWrite >= interval {
            pending = false
            lastWrite = now
            return .writeContent
        }
        if now - lastWrite >= renewEvery {
            lastWrite = now
            return pending ? .writeContent : .renewLease
        }
        return .none
    }

    /// True when content is held back and must be written before finishing.
    public var hasPending: Bool { pending }
}
