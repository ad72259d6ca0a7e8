import Foundation
import Testing
@testable import WorkerCore

/// A stand-in for a connection: records every time two threads are inside it at once.
private final class Probe: @unchecked Sendable {
    // @unchecked: `users`, `overlaps` and `uses` are only touched while holding `lock`.
    private let lock = NSLock()
    private var users = 0
    private(set) var overlaps = 0
    private(set) var uses = 0

    func use() {
        lock.lock()
        users += 1
        uses += 1
        if users > 1 { overlaps += 1 }
        lock.unlock()
        sched_yield()  // give another thread every chance to come in meanwhile
        lock.lock()
        if users > 1 { overlaps += 1 }
        users -= 1
        lock.unlock()
    }
}

/// Every probe the pool ever opened, and how many threads are borrowing right now.
private final class Ledger: @unchecked Sendable {
    // @unchecked: all fields are only touched while holding `lock`.
    private let lock = NSLock()
    private var probes: [Probe] = []
    private var borrowing = 0
    private(set) var mostBorrowing = 0
    private(set) var failures: [String] = []
    private var failNextOpens: Int

    init(failingFirstOpens: Int = 0) { failNextOpens = failingFirstOpens }

    func record(_ error: Error) {
        lock.lock(); failures.append("\(error)"); lock.unlock()
    }

    func open() throws -> Probe {
        lock.lock(); defer { lock.unlock() }
        if failNextOpens > 0 {
            failNextOpens -= 1
            throw CocoaError(.fileNoSuchFile)
        }
        let probe = Probe()
        probes.append(probe)
        return probe
    }

    var opened: [Probe] {
        lock.lock(); defer { lock.unlock() }
        return probes
    }

    func enter() {
        lock.lock()
        borrowing += 1
        mostBorrowing = max(mostBorrowing, borrowing)
        lock.unlock()
    }

    func leave() {
        lock.lock(); borrowing -= 1; lock.unlock()
    }
}

@Suite struct StorePoolTests {
    @Test func neverLendsOneStoreToTwoThreadsAtOnce() throws {
        let ledger = Ledger()
        let pool = StorePool(capacity: 3) { try ledger.open() }
        let threads = 24, rounds = 400
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<rounds {
                do {
                    try pool.withStore { probe in
                        ledger.enter()
                        probe.use()
                        ledger.leave()
                    }
                } catch {
                    ledger.record(error)
                }
            }
        }
        #expect(ledger.failures.isEmpty)
        let opened = ledger.opened
        #expect(opened.count <= 3)
        #expect(pool.openedCount == opened.count)
        #expect(ledger.mostBorrowing <= 3)
        #expect(opened.map(\.overlaps).reduce(0, +) == 0, "a store was used by two threads at once")
        #expect(opened.map(\.uses).reduce(0, +) == threads * rounds)
    }

    @Test func opensStoresOnlyWhenAllAreLentOut() throws {
        let ledger = Ledger()
        let pool = StorePool(capacity: 4) { try ledger.open() }
        for _ in 0..<100 { try pool.withStore { $0.use() } }
        #expect(ledger.opened.count == 1)
        // Nested borrowing is not allowed in runners, but it shows a second store is opened
        // exactly when the first is lent out.
        try pool.withStore { outer in
            try pool.withStore { inner in #expect(outer !== inner) }
        }
        #expect(ledger.opened.count == 2)
    }

    @Test func aFailedOpenFreesItsSlot() throws {
        let ledger = Ledger(failingFirstOpens: 2)
        let pool = StorePool(capacity: 1) { try ledger.open() }
        #expect(throws: CocoaError.self) { try pool.withStore { $0.use() } }
        #expect(throws: CocoaError.self) { try pool.withStore { $0.use() } }
        #expect(pool.openedCount == 0)
        try pool.withStore { $0.use() }  // would wait forever if the failures kept their slot
        #expect(pool.openedCount == 1)
    }

    @Test func anErrorInTheBodyGivesTheStoreBack() throws {
        let ledger = Ledger()
        let pool = StorePool(capacity: 1) { try ledger.open() }
        struct Boom: Error {}
        #expect(throws: Boom.self) { try pool.withStore { _ in throw Boom() } }
        try pool.withStore { $0.use() }  // would wait forever if the store was not given back
        #expect(ledger.opened.count == 1)
    }
}
