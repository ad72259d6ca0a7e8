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
    /// The claimer waits in `waitForFreeRunners` (only ever while every runner is busy).
    private var claimerWaiting = false

    init(capacity: Int) { self.capacity = capacity }

    /// Runners working on a job now.
    var busyRunners: Int {
        condition.lock(); defer { condition.unlock() }
        return busy
    }

    /// Blocks until a runner could take one more job; false once the pool is stopping.
    func waitForFreeRunner() -> Bool {
        condition.lock(); defer { condition.unlock() }
        while !closed && !stopping && busy + waiting.count >= capacity {
            claimerWaiting = true
            condition.wait()
        }
        claimerWaiting = false
        return !closed && !stopping
    }

    /// Shutdown began: the claimer stops waiting for a free runner.
    func stopClaiming() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes one idle runner for the job. The claimer, which calls this, is the only other
    /// waiter, so `signal` reaches a runner; a broadcast woke every idle runner for each job
    /// (a thousand idle runners meeting a full queue: up to a million wake-ups; futex system
    /// calls were 39 % of the worker's CPU samples in the capacity benchmark).
    func put(_ claimed: Claimed) {
        condition.lock()
        waiting.append(claimed)
        condition.signal()
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

    /// A runner finished its job; wakes the claimer if it waits for a free runner (it waits only
    /// while every runner is busy, so no idle runner is woken for nothing).
    func done() {
        condition.lock()
        busy -= 1
        if claimerWaiting { condition.broadcast() }
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
