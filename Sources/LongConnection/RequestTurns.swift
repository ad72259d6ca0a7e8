/// Who may send on each `req_id` now: frames that share a `req_id` (the frames of one streamed
/// answer) go out one at a time, the next only after the previous one's ack, in the order they
/// asked (docs/wecom-protocol.md §8.1); different `req_id`s do not wait for each other.
///
/// A value type over any waiter (a continuation in `BotSession`, a plain value in tests).
struct RequestTurns<Waiter> {
    /// A key is present while its `req_id` has a sender; the array holds the waiters behind it.
    private var queues: [String: [Waiter]] = [:]

    /// Takes the turn when `reqID` is free (true); false means call `wait`.
    mutating func take(_ reqID: String) -> Bool {
        guard queues[reqID] == nil else { return false }
        queues[reqID] = []
        return true
    }

    /// Queues `waiter` behind the current sender of `reqID`.
    mutating func wait(_ reqID: String, _ waiter: Waiter) {
        queues[reqID, default: []].append(waiter)
    }

    /// Ends the current turn: returns the next waiter, which now holds the turn, or nil when
    /// nobody waits and `reqID` is free again.
    mutating func release(_ reqID: String) -> Waiter? {
        guard var waiting = queues[reqID] else { return nil }
        guard !waiting.isEmpty else {
            queues[reqID] = nil
            return nil
        }
        let next = waiting.removeFirst()
        queues[reqID] = waiting
        return next
    }

    /// Senders queued behind the one holding `reqID`'s turn.
    func waiting(on reqID: String) -> Int { queues[reqID]?.count ?? 0 }

    /// `req_id`s with a sender now.
    var busy: Int { queues.count }
}
