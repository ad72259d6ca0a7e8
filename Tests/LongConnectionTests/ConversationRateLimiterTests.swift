import Testing
@testable import LongConnection

/// The per-conversation limit on the manual clock: 30 sends in any 60 seconds.
@Suite struct ConversationRateLimiterTests {
    @Test func thirtyGoAtOnceAndTheThirtyFirstWaitsForTheOldestToLeave() {
        let clock = ManualClock()
        let limiter = ConversationRateLimiter(clock: clock)
        let slots = (0..<30).map { _ in limiter.reserve("zhangsan") }
        #expect(slots.allSatisfy { $0.offset == .zero })
        #expect(limiter.reserve("zhangsan").offset == .seconds(60))
        #expect(limiter.reserve("wrGROUP").offset == .zero, "each conversation has its own window")
    }

    @Test func theWindowSlides() {
        let clock = ManualClock()
        let limiter = ConversationRateLimiter(clock: clock)
        for second in [0, 20, 40] {
            clock.advance(to: .seconds(second))
            for _ in 0..<10 { #expect(limiter.reserve("u").offset == .seconds(second)) }
        }
        clock.advance(to: .seconds(50))
        // The ten of second 0 leave the window at second 60, the ten of second 20 at 80.
        let next = (0..<11).map { _ in limiter.reserve("u").offset }
        #expect(next == Array(repeating: .seconds(60), count: 10) + [.seconds(80)])
        clock.advance(to: .seconds(200))
        #expect(limiter.reserve("u").offset == .seconds(200), "an old burst no longer counts")
    }

    /// A long answer queued at once: its parts get slots a window apart, in call order.
    @Test func slotsOfOneConversationComeInOrder() {
        let clock = ManualClock()
        let limiter = ConversationRateLimiter(clock: clock, limit: 2, window: .seconds(10))
        let slots = (0..<5).map { _ in limiter.reserve("u").offset }
        #expect(slots == [.zero, .zero, .seconds(10), .seconds(10), .seconds(20)])
        clock.advance(to: .seconds(15))
        #expect(limiter.reserve("u").offset == .seconds(20), "never before a slot granted earlier")
        #expect(limiter.reserve("u").offset == .seconds(30))
    }

    @Test func waitForTurnSleepsUntilTheSlot() async throws {
        try await onTestThreads {
            let clock = ManualClock()
            let limiter = ConversationRateLimiter(clock: clock, limit: 1, window: .seconds(10))
            try await limiter.waitForTurn("u")  // free: no sleep
            let second = testThreadsTask { try await limiter.waitForTurn("u") }
            #expect(await clock.waitForSleeper(at: .seconds(10)))
            clock.advance(to: .seconds(10))
            try await second.value
            #expect(limiter.reserve("u").offset == .seconds(20))
        }
    }
}
