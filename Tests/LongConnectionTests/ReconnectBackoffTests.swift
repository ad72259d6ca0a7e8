import Testing
@testable import LongConnection

@Suite struct ReconnectBackoffTests {
    @Test func doublesFromOneSecondToThirty() {
        var backoff = ReconnectBackoff()
        let waits = (0..<8).map { _ in backoff.next(unit: 0) }
        #expect(waits == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
    }

    /// Jitter only ever shortens a wait, by at most a fifth.
    @Test func jitterShortensByAtMostAFifth() {
        var backoff = ReconnectBackoff()
        let first = backoff.next(unit: 0.5), second = backoff.next(unit: 1)
        #expect(first == .milliseconds(900) && second == .milliseconds(1600))
        for _ in 0..<4 { _ = backoff.next(unit: 0) }
        let capped = backoff.next(unit: 0.25)
        #expect(capped == .seconds(28.5))
        var unjittered = ReconnectBackoff(jitter: 0)
        let plain = unjittered.next(unit: 0.99)
        #expect(plain == .seconds(1))
    }

    @Test func resetStartsAgainAtTheFirstWait() {
        var backoff = ReconnectBackoff(first: .milliseconds(100), cap: .milliseconds(250))
        let waits = [backoff.next(unit: 0), backoff.next(unit: 0), backoff.next(unit: 0)]
        #expect(waits == [.milliseconds(100), .milliseconds(200), .milliseconds(250)])
        backoff.reset()
        let again = backoff.next(unit: 0)
        #expect(again == .milliseconds(100))
    }

    /// Thousands of failures in a row stay at the cap (no overflow of the doubling).
    @Test func manyFailuresStayAtTheCap() {
        var backoff = ReconnectBackoff()
        for _ in 0..<10_000 { _ = backoff.next(unit: 0) }
        let wait = backoff.next(unit: 0)
        #expect(wait == .seconds(30))
    }
}
