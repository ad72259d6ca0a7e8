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

    /// A clock the test sets, starting at `start`.
    final class TestClock: Sendable {
        let start = ContinuousClock.now
        let now: Mutex<ContinuousClock.Instant>
        init() { now = Mutex(start) }
        func set(_ offset: Duration) { now.withLock { [start] in $0 = start + offset } }
    }

    /// A check of `probe` once a second on `clock`, its first result already taken.
    static func checkAfterItsFirstRun(_ probe: Probe, _ clock: TestClock) -> BackgroundHealthCheck {
        let check = BackgroundHealthCheck(interval: .seconds(1), now: { clock.now.withLock { $0 } }) { probe.run() }
        #expect(check.health() == .healthy)
        return check
    }

    @Test func theFirstCallWaitsForTheFirstResultAndLaterOnesWithinTheIntervalReuseIt() {
        let clock = TestClock(), probe = Probe()
        let check = Self.checkAfterItsFirstRun(probe, clock)
        clock.set(.milliseconds(999))
        #expect(check.health() == .healthy)
        check.waitForCheck()
        #expect(probe.runs.withLock { $0 } == 1)
    }

    /// While a slow check runs (a store that takes its whole timeout), callers get the last
    /// result at once; the new one replaces it when the check ends.
    @Test func aSlowCheckDoesNotHoldCallersUp() {
        let clock = TestClock(), probe = Probe()
        let check = Self.checkAfterItsFirstRun(probe, clock)
        probe.holds.store(true, ordering: .releasing)
        clock.set(.seconds(1))
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
