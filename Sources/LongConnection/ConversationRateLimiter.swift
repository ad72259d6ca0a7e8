import Synchronization

/// WeCom's limit on what a bot says in one conversation: replies and messages it sends first
/// together, at most 30 in any minute (docs/wecom-protocol.md §8.3). A sliding window over the
/// times of the sends granted, one per conversation (the userid of a direct chat, the chatid of
/// a group: the `chatid` of `aibot_send_msg`).
///
/// Each ``reserve(_:)`` takes the conversation's next slot and says when it is: now while the
/// window has room, else when the oldest send in it leaves. Slots of one conversation are
/// granted in call order, so parts of a long answer keep their order; a caller that reserved a
/// slot should use it (an unused slot still counts until it leaves the window). The hourly limit
/// (1000) is not counted here: at 30 a minute one conversation reaches it only after 33 minutes
/// without a pause.
public final class ConversationRateLimiter<C: Clock>: Sendable where C.Duration == Duration {
    private struct State {
        /// Granted slots per conversation, oldest first; only those still inside a window.
        var slots: [String: [C.Instant]] = [:]
        var reservationsSinceSweep = 0
    }

    public static var defaultLimit: Int { 30 }
    public static var defaultWindow: Duration { .seconds(60) }

    private let clock: C
    private let limit: Int
    private let window: Duration
    private let state = Mutex(State())
    /// Conversations that went quiet are dropped every this many reservations.
    private static var sweepInterval: Int { 1024 }

    public init(clock: C, limit: Int = defaultLimit, window: Duration = defaultWindow) {
        precondition(limit > 0 && window > .zero)
        self.clock = clock
        self.limit = limit
        self.window = window
    }

    /// Takes `conversation`'s next send slot and returns its instant (the clock's now when the
    /// window has room).
    public func reserve(_ conversation: String) -> C.Instant {
        let now = clock.now
        return state.withLock { state in
            state.reservationsSinceSweep += 1
            if state.reservationsSinceSweep >= Self.sweepInterval {
                state.reservationsSinceSweep = 0
                for (key, slots) in state.slots {
                    let kept = forget(slots, before: now)
                    state.slots[key] = kept.isEmpty ? nil : kept
                }
            }
            var slots = forget(state.slots[conversation] ?? [], before: now)
            var slot = max(now, slots.last ?? now)
            if slots.count >= limit { slot = max(slot, slots[slots.count - limit].advanced(by: window)) }
            slots.append(slot)
            state.slots[conversation] = slots
            return slot
        }
    }

    /// Reserves `conversation`'s next slot and sleeps on the clock until it.
    /// - Throws: `CancellationError` when the task is cancelled while it waits.
    public func waitForTurn(_ conversation: String) async throws {
        try await clock.sleep(until: reserve(conversation), tolerance: nil)
    }

    /// `slots` without those that can no longer hold a send back: a slot at or before
    /// `now - window` is outside the window of any send from now on.
    private func forget(_ slots: [C.Instant], before now: C.Instant) -> [C.Instant] {
        guard let keep = slots.firstIndex(where: { $0.advanced(by: window) > now }) else { return [] }
        return Array(slots[keep...])
    }
}
