import BotStore
import Foundation

/// Hands claimed jobs from the pool's one claimer to its idle runner threads. The claimer
/// claims only while a runner is free, so a wake-up never makes a thousand idle threads
/// race for the write lock.
final class JobHandoff: @unchecked Sendable {
    // @unchecked: every field is read and written only while holding `condition`.
    struct Claimed {
        var job: ClaimedJob
        var owner: String
    }

    private let condition = NSCondition()
    private let capacity: Int
    private var waiting: [Claimed] = []
    private var busy = 0
    private var closed = false
    private var stopping = false

    init(capacity: Int) { self.capacity = capacity }

    /// Blocks until a runner could take one more job; false once the pool is stopping.
    func waitForFreeRunner() -> Bool {
        condition.lock(); defer { condition.unlock() }
        while !closed && !stopping && busy + waiting.count >= capacity { condition.wait() }
        return !closed && !stopping
    }

    /// Shutdown began: the claimer stops waiting for a free runner.
    func stopClaiming() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    func put(_ claimed: Claimed) {
        condition.lock()
        waiting.append(claimed)
        condition.broadcast()
        condition.unlock()
    }

    /// The next job for a runner thread, or nil when the pool is stopping.
    func take() -> Claimed? {
        condition.lock(); defer { condition.unlock() }
        while waiting.isEmpty && !closed { condition.wait() }
        guard !waiting.isEmpty else { return nil }
        busy += 1
        return waiting.removeFirst()
    }

    /// A runner finished its job.
    func done() {
        condition.lock()
        busy -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops handing out jobs; returns the claimed ones no runner took (to hand back).
    func close() -> [Claimed] {
        condition.lock(); defer { condition.unlock() }
        closed = true
        let left = waiting
        waiting.removeAll()
        condition.broadcast()
        return left
    }
}
