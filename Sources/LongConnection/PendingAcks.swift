/// The requests on the wire that wait for their ack, by `req_id` (docs/wecom-protocol.md §8.1).
/// Each registration gets a ticket, so that a timed-out request removes its own entry and never a
/// later one that reuses the `req_id`.
struct PendingAcks<Slot> {
    private var slots: [String: (ticket: UInt64, slot: Slot)] = [:]
    private var lastTicket: UInt64 = 0

    /// Registers `slot` for `reqID`; nil when a request with that `req_id` already waits.
    mutating func register(_ reqID: String, _ slot: Slot) -> UInt64? {
        guard slots[reqID] == nil else { return nil }
        lastTicket += 1
        slots[reqID] = (lastTicket, slot)
        return lastTicket
    }

    /// The slot an ack for `reqID` completes, removed; nil for an ack nobody waits for.
    mutating func resolve(_ reqID: String) -> Slot? {
        slots.removeValue(forKey: reqID)?.slot
    }

    /// Removes the entry `ticket` registered, if it is still there.
    mutating func withdraw(_ reqID: String, ticket: UInt64) -> Slot? {
        guard let entry = slots[reqID], entry.ticket == ticket else { return nil }
        slots[reqID] = nil
        return entry.slot
    }

    /// Every waiting slot, removed (the connection ended).
    mutating func removeAll() -> [Slot] {
        defer { slots.removeAll() }
        return slots.values.map(\.slot)
    }

    var count: Int { slots.count }
}
