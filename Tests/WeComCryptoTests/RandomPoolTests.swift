#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import WeComCrypto

/// Random bytes fetched 1 KiB at a time: each handed out once, and fetched anew in a forked
/// child (another ``ForkGeneration``) before the child draws any.
@Suite struct RandomPoolTests {
    @Test func oneFetchServesAKibibyteOfDrawsAndNoDrawRepeats() {
        let pool = RandomPool(process: { 42 })
        let draws = (0..<64).map { _ in pool.take(16) }
        #expect(pool.refills == 1, "64 draws of 16 bytes from one fetch")
        #expect(Set(draws).count == 64, "no two draws alike")
        _ = pool.take(16)
        #expect(pool.refills == 2, "the 65th needs a new fetch")
    }

    @Test func anotherProcessNeverDrawsWhatThePoolHeld() {
        let pid = Atomic<Int>(100)
        let pool = RandomPool(process: { pid.load(ordering: .relaxed) })
        _ = pool.take(16)
        #expect(pool.refills == 1)
        pid.store(101, ordering: .relaxed)  // as after fork(), in the child
        _ = pool.take(16)
        #expect(pool.refills == 2, "the child fetched its own bytes at its first draw")
    }

    /// A real `fork`: the child's generation is one more than the parent's, and the child's
    /// first draw from a pool the parent had filled is not the parent's next draw.
    @Test func aForkedChildFetchesItsOwnBytes() throws {
        let pool = RandomPool()
        _ = pool.take(16)
        let parentGeneration = ForkGeneration.current
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let child = fork()
        try #require(child >= 0)
        if child == 0 {
            // glibc's fork leaves malloc usable in the child; the draw may refill through OpenSSL.
            var report = [UInt8](repeating: 0, count: 17)
            report[0] = UInt8(truncatingIfNeeded: ForkGeneration.current - parentGeneration)
            report.replaceSubrange(1..., with: pool.take(16))
            _ = report.withUnsafeBytes { write(fds[1], $0.baseAddress, 17) }
            _exit(0)
        }
        close(fds[1])
        var report = [UInt8](repeating: 0, count: 17)
        let got = report.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, 17) }
        close(fds[0])
        var status: Int32 = 0
        waitpid(child, &status, 0)
        try #require(got == 17, "the child reported")
        #expect(report[0] == 1, "one fork between parent and child")
        #expect(ForkGeneration.current == parentGeneration, "the parent's generation is unchanged")
        #expect(Array(report[1...]) != pool.take(16), "the child did not draw the parent's next bytes")
        #expect(pool.refills == 1, "the parent still draws from its first fetch")
    }

    @Test func drawsLargerThanThePoolGoStraightToOpenSSL() {
        let pool = RandomPool(process: { 42 })
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
