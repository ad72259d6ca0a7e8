import Foundation
import Synchronization
import Testing
import Threads

@Suite struct IntervalThreadTests {
    /// Ticks keep coming at the interval, and stop() ends with exactly one last tick.
    @Test func ticksUntilStoppedThenOnceMore() {
        let ticks = Mutex<[Bool]>([])
        let loop = IntervalThread(name: "test", interval: 0.001) { last in ticks.withLock { $0.append(last) } }
        loop.start()
        let deadline = Date().addingTimeInterval(10)
        while ticks.withLock({ $0.count }) < 3, Date() < deadline { usleep(1_000) }
        loop.stop()
        let seen = ticks.withLock { $0 }
        #expect(seen.count >= 4)
        #expect(seen.last == true)
        #expect(seen.dropLast().allSatisfy { !$0 }, "only the final tick is the last one")
    }

    /// stop() wakes a thread waiting out a long interval instead of waiting for it.
    @Test func stopDoesNotWaitForTheInterval() {
        let ticks = Mutex(0)
        let loop = IntervalThread(name: "test", interval: 3600) { _ in ticks.withLock { $0 += 1 } }
        loop.start()
        loop.stop()  // would take an hour otherwise
        #expect(ticks.withLock { $0 } == 1, "just the last tick")
    }
}
