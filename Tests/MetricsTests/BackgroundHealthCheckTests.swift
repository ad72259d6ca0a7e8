import Dispatch
import Metrics
import Synchronization
import Testing

struct BackgroundHealthCheckTests {
    /// A check whose runs are counted, each answering with its number, and which can be held
    /// inside its run until the test lets it go.
    final class Probe: Sendable {
        let runs = Mutex(0)
        let gate = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let holds = Atomic<Bool>(false)

        func run() -> Health {
            let run = runs.withLock { $0 += 1; return $0 }
            if holds.load(ordering: .acquiring) {
                entered.signal()
                gate.wait()
            }
            return run == 1 ? .healthy : .unhealthy("run \(run)")
        }
    }

    @Test func theFirstCallWaitsForTheFirstResultAndLaterOnesWithinTheIntervalReuseIt() {
        let start = ContinuousClock.now
        let clock = Mutex(start)
        let probe = Probe()
        let check = BackgroundHealthCheck(interval: .seconds(1), now: { clock.withLock { $0 } }) { probe.run() }
        #expect(check.health() == .healthy)
        clock.withLock { $0 = start + .milliseconds(999) }
        #expect(check.health() == .healthy)
        check.waitForCheck()
        #expect(probe.runs.withLock { $0 } == 1)
    }

    /// While a slow check runs (a store that takes its whole timeout), callers get the last
    /// result at once; the new one replaces it when the check ends.
    @Test func aSlowCheckDoesNotHoldCallersUp() {
        let start = ContinuousClock.now
        let clock = Mutex(start)
        let probe = Probe()
        let check = BackgroundHealthCheck(interval: .seconds(1), now: { clock.withLock { $0 } }) { probe.run() }
        #expect(check.health() == .healthy)
        probe.holds.store(true, ordering: .releasing)
        clock.withLock { $0 = start + .seconds(1) }
        #expect(check.health() == .healthy)  // starts run 2, which is held
        probe.entered.wait()
        #expect(check.health() == .healthy)
        #expect(check.health() == .healthy)
        #expect(probe.runs.withLock { $0 } == 2)
        probe.gate.signal()
        check.waitForCheck()
        #expect(check.health() == .unhealthy("run 2"))
        #expect(probe.runs.withLock { $0 } == 2)
    }

    @Test func waitingWithNoCheckRunningReturnsAtOnce() {
        let probe = Probe()
        let check = BackgroundHealthCheck { probe.run() }
        check.waitForCheck()
        check.waitForCheck()
        #expect(probe.runs.withLock { $0 } == 1)
    }
}
