import Foundation

/// A clock that stands still until the test moves it (unix seconds).
final class TestClock: @unchecked Sendable {
    // @unchecked: `seconds` is only touched while holding `lock`.
    private let lock = NSLock()
    private var seconds: Double

    init(_ start: Double) { seconds = start }

    var now: Double {
        lock.lock(); defer { lock.unlock() }
        return seconds
    }

    func set(_ time: Double) {
        lock.lock(); seconds = time; lock.unlock()
    }
}
