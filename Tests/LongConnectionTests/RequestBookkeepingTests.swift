import Testing
@testable import LongConnection

@Suite struct RequestBookkeepingTests {
    @Test func requestIDsAreUniqueAndNameTheCommand() {
        let ids = RequestIDGenerator(token: 0xAB)
        #expect(ids.next(.ping) == "ping_00000000000000ab_1")
        #expect(ids.next(.sendMessage) == "aibot_send_msg_00000000000000ab_2")
        let other = RequestIDGenerator(), another = RequestIDGenerator()
        let all = (0..<1000).map { _ in other.next(.ping) } + (0..<1000).map { _ in another.next(.ping) }
        #expect(Set(all).count == 2000)
    }

    @Test func requestIDsStayUniqueAcrossThreads() async {
        let ids = RequestIDGenerator()
        let all = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<500).map { _ in ids.next(.sendMessage) } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(all).count == 2000)
    }

    /// One sender per req_id; the waiters take their turns in the order they came.
    @Test func turnsGoInOrderPerRequestID() {
        var turns = RequestTurns<String>()
        var taken = [turns.take("R"), turns.take("R")]
        #expect(taken == [true, false])
        turns.wait("R", "B")
        turns.wait("R", "C")
        taken = [turns.take("S")]  // another req_id does not wait
        #expect(taken == [true])
        #expect(turns.waiting(on: "R") == 2)
        var released = [turns.release("R"), turns.release("R")]
        #expect(released == ["B", "C"])
        #expect(turns.busy == 2)
        released = [turns.release("R")]
        taken = [turns.take("R")]
        released += [turns.release("R"), turns.release("S")]
        #expect(released == [nil, nil, nil] && taken == [true])
        #expect(turns.busy == 0)
    }

    @Test func pendingAcksMatchByRequestIDAndTicket() {
        var pending = PendingAcks<Int>()
        let first = pending.register("R", 1)
        let duplicate = pending.register("R", 2)
        #expect(first != nil && duplicate == nil)
        let resolved = [pending.resolve("X"), pending.resolve("R")]
        #expect(resolved == [nil, 1])
        // A timed-out request removes its own entry, never a later one with the same req_id.
        let second = pending.register("R", 3)!
        let stale = pending.withdraw("R", ticket: first!)
        #expect(stale == nil && pending.count == 1)
        let own = pending.withdraw("R", ticket: second)
        #expect(own == 3)
        _ = pending.register("A", 4)
        _ = pending.register("B", 5)
        let rest = pending.removeAll().sorted()
        #expect(rest == [4, 5] && pending.count == 0)
    }
}
