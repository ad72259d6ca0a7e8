import Foundation

/// A named thread that runs `tick` every `interval` seconds until stopped. `stop()` wakes it
/// at once, lets it run one last `tick(true)` (for work that must not be lost, such as pending
/// writes), and returns when the thread has ended.
public final class IntervalThread: @unchecked Sendable {
    // @unchecked: `stopping` and `finished` are only read and written with `condition` locked;
    // `tick` runs on the thread alone.
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false
    private let name: String
    private let interval: TimeInterval
    private let tick: (_ last: Bool) -> Void

    public init(name: String, interval: TimeInterval, tick: @escaping (_ last: Bool) -> Void) {
        self.name = name
        self.interval = interval
        self.tick = tick
    }

    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Wakes the thread for its last tick and waits until it has ended.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            let last = stopping
            condition.unlock()
            tick(last)
            if last { break }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
