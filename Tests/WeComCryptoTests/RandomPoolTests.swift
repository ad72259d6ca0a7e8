import Synchronization
import Testing
@testable import WeComCrypto

/// Random bytes fetched 1 KiB at a time: each handed out once, and fetched anew in a forked
/// child (another pid) before the child draws any.
@Suite struct RandomPoolTests {
    @Test func oneFetchServesAKibibyteOfDrawsAndNoDrawRepeats() {
        let pool = RandomPool(processID: { 42 })
        let draws = (0..<64).map { _ in pool.take(16) }
        #expect(pool.refills == 1, "64 draws of 16 bytes from one fetch")
        #expect(Set(draws).count == 64, "no two draws alike")
        _ = pool.take(16)
        #expect(pool.refills == 2, "the 65th needs a new fetch")
    }

    @Test func anotherProcessNeverDrawsWhatThePoolHeld() {
        let pid = Atomic<Int32>(100)
        let pool = RandomPool(processID: { pid.load(ordering: .relaxed) })
        _ = pool.take(16)
        #expect(pool.refills == 1)
        pid.store(101, ordering: .relaxed)  // as after fork(), in the child
        _ = pool.take(16)
        #expect(pool.refills == 2, "the child fetched its own bytes at its first draw")
    }

    @Test func drawsLargerThanThePoolGoStraightToOpenSSL() {
        let pool = RandomPool(processID: { 42 })
        #expect(pool.take(RandomPool.size + 1).count == RandomPool.size + 1)
        #expect(pool.refills == 0)
    }

    @Test func alphanumericsStayUniformOverTheAlphabet() {
        let text = (0..<200).map { _ in SecureRandom.alphanumeric(31) }.joined()
        let counts = Dictionary(grouping: text.utf8, by: { $0 }).mapValues(\.count)
        #expect(counts.count == 62, "every one of the 62 characters appears in 6,200 draws")
        #expect(counts.values.allSatisfy { $0 > 40 && $0 < 200 }, "about 100 each: \(counts.values.sorted())")
    }
}
