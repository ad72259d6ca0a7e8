@testable import PostgresStore
import Testing

@Suite struct ReconnectBackoffTests {
    @Test func attemptsBackOffFromATenthOfASecondUpToTheMaximumAndResetOnSuccess() {
        var backoff = ReconnectBackoff(maximum: 0.5)
        #expect(backoff.wait(at: 0) == 0)
        var waits: [Double] = []
        for _ in 0..<5 {
            backoff.failed(at: 0)
            waits.append(backoff.wait(at: 0))
        }
        #expect(waits == [0.1, 0.2, 0.4, 0.5, 0.5])
        #expect(backoff.wait(at: 0.5) == 0)
        backoff.succeeded()
        #expect(backoff.wait(at: 0) == 0)
        backoff.failed(at: 0)
        #expect(backoff.wait(at: 0) == 0.1)
    }
}
