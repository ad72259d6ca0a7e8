@testable import MessageIntake
import Synchronization
import Testing

@Suite struct StreamIDGeneratorTests {
    @Test func idsHaveTheDocumentedShape() {
        let id = StreamIDGenerator().next()
        #expect(id.utf8.count == 24)
        #expect(id.hasPrefix("s"))
        #expect(id.utf8.dropFirst().allSatisfy { StreamIDGenerator.digits.contains($0) })
    }

    @Test func base62KeepsNumericOrderAsStringOrder() {
        let values: [Int64] = [0, 1, 61, 62, 3_843, 3_844, 1_764_000_000_000_000, 1_764_000_000_000_001, 9_000_000_000_000_000]
        let encoded = values.map(StreamIDGenerator.base62)
        #expect(encoded.allSatisfy { $0.utf8.count == StreamIDGenerator.timeDigits })
        #expect(encoded == encoded.sorted())
        #expect(Set(encoded).count == values.count)
        #expect(StreamIDGenerator.base62(0) == "0000000000")
        #expect(StreamIDGenerator.base62(62) == "0000000010")
    }

    @Test func idsSortInCreationOrderEvenWhenTheClockStandsStillOrStepsBack() {
        let readings = Mutex<[Int64]>([5_000, 5_000, 4_000, 7_000, 7_000, 6_999])
        let generator = StreamIDGenerator(microseconds: { readings.withLock { $0.removeFirst() } })
        let ids = (0..<6).map { _ in generator.next() }
        #expect(ids == ids.sorted())
        #expect(Set(ids.map { $0.prefix(11) }).count == 6)
        #expect(ids[3].dropFirst().prefix(10) == Substring(StreamIDGenerator.base62(7_000)))
    }

    @Test func idsFromManyThreadsAreUniqueAndOrderedPerThread() async {
        let generator = StreamIDGenerator()
        let perTask = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<2_000).map { _ in generator.next() } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(perTask.allSatisfy { $0 == $0.sorted() })
        #expect(Set(perTask.joined()).count == 8_000)
    }
}
