import Foundation

/// Where idle worker threads wait: woken by a responder's datagram, by shutdown, or by
/// their own poll timeout. A generation counter means a wake-up that lands between "the
/// queue was empty" and "start waiting" is never lost.
final class WakeBoard: @unchecked Sendable {
    // @unchecked: every field is read and written only while holding `condition`.
    private let condition = NSCondition()
    private var generation: UInt64 = 0
    private var stopping = false

    var current: UInt64 {
        condition.lock(); defer { condition.unlock() }
        return generation
    }

    var isStopping: Bool {
        condition.lock(); defer { condition.unlock() }
        return stopping
    }

    func wakeAll() {
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopping = true
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the generation moves past `seen`, or `timeout` seconds pass.
    func wait(after seen: UInt64, timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while generation == seen && !stopping {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
    }
}
