import Foundation

/// A permit counter that lets a test hold a stream and release it chunk by chunk, and wait
/// for the stream to reach a point — without sleeps.
///
/// A `.gated` answer takes one permit before each chunk: `open(2)` lets two more chunks out.
/// Permits are shared by every stream using the gate, first come first served (a retried
/// request waits for fresh permits). Counters:
/// - `waiting`: streams parked at the gate right now;
/// - `passed`: permits taken;
/// - `delivered`: chunks actually written to the socket after passing.
///
/// Typical use: `gate.waitForWaiters(1, timeout: 5)` (the request arrived and the head + first
/// ping went out), `gate.open(1)`, `gate.waitForDelivered(1, timeout: 5)`, then kill the client.
///
/// `@unchecked Sendable`: all state is guarded by `condition`.
public final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var permits: Int
    private var unlimited = false
    private var passedCount = 0
    private var deliveredCount = 0
    private var waitingCount = 0

    public init(permits: Int = 0) {
        self.permits = permits
    }

    /// Lets `n` more chunks through.
    public func open(_ n: Int = 1) {
        condition.lock()
        permits += n
        condition.broadcast()
        condition.unlock()
    }

    /// Lets everything through from now on.
    public func openAll() {
        condition.lock()
        unlimited = true
        condition.broadcast()
        condition.unlock()
    }

    public var waiting: Int { locked { waitingCount } }
    public var passed: Int { locked { passedCount } }
    public var delivered: Int { locked { deliveredCount } }
    /// Permits granted but not yet taken.
    public var available: Int { locked { unlimited ? Int.max : permits } }

    /// Blocks until `count` streams are parked at the gate (false on timeout).
    @discardableResult
    public func waitForWaiters(_ count: Int = 1, timeout: TimeInterval) -> Bool {
        waitUntil(timeout: timeout) { waitingCount >= count }
    }

    /// Blocks until `count` permits have been taken in total (false on timeout).
    @discardableResult
    public func waitForPassed(_ count: Int, timeout: TimeInterval) -> Bool {
        waitUntil(timeout: timeout) { passedCount >= count }
    }

    /// Blocks until `count` gated chunks have been written in total (false on timeout).
    @discardableResult
    public func waitForDelivered(_ count: Int, timeout: TimeInterval) -> Bool {
        waitUntil(timeout: timeout) { deliveredCount >= count }
    }

    /// Takes one permit, blocking until one is available. Returns false (without taking one)
    /// as soon as `shouldAbort` turns true — it is polled every 20 ms.
    public func pass(shouldAbort: () -> Bool = { false }) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        waitingCount += 1
        condition.broadcast()
        defer {
            waitingCount -= 1
            condition.broadcast()
        }
        while !unlimited && permits == 0 {
            condition.unlock()
            let abort = shouldAbort()
            condition.lock()
            if abort { return false }
            if unlimited || permits > 0 { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.02))
        }
        if !unlimited { permits -= 1 }
        passedCount += 1
        return true
    }

    /// Records that a chunk that passed was written.
    func noteDelivered() {
        condition.lock()
        deliveredCount += 1
        condition.broadcast()
        condition.unlock()
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func waitUntil(timeout: TimeInterval, _ predicate: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !predicate() {
            if !condition.wait(until: deadline) { return predicate() }
        }
        return true
    }
}
