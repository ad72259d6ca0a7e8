import Foundation

/// At most `capacity` stores (database connections) shared by any number of runner threads:
/// each store call borrows one, and a thread that finds them all lent out waits on a
/// condition instead of joining SQLite's busy loop. A thousand answer slots then cost a
/// handful of connections, and at most `capacity` of them ever compete for the write lock.
///
/// Stores are opened on first need and kept. A borrowed store belongs to the borrowing
/// thread until `withStore` returns; the body must not borrow again (with every store lent
/// out that would wait forever).
public final class StorePool<Store>: @unchecked Sendable {
    // @unchecked: `idle` and `opened` are only touched while holding `condition`, and a store
    // taken out of `idle` is used by the one thread that took it until it is put back, so no
    // store is ever used by two threads at once (each lock hand-off orders their accesses).
    private let condition = NSCondition()
    private let make: @Sendable () throws -> Store
    private var idle: [Store] = []
    private var opened = 0
    /// The most stores this pool opens.
    public let capacity: Int

    public init(capacity: Int, make: @escaping @Sendable () throws -> Store) {
        precondition(capacity > 0, "a store pool needs at least one store")
        self.capacity = capacity
        self.make = make
    }

    /// Stores opened so far (never more than `capacity`).
    public var openedCount: Int {
        condition.lock(); defer { condition.unlock() }
        return opened
    }

    /// Runs `body` with a store no other thread uses meanwhile.
    public func withStore<T>(_ body: (Store) throws -> T) throws -> T {
        let store = try borrow()
        defer { giveBack(store) }
        return try body(store)
    }

    private func borrow() throws -> Store {
        condition.lock()
        while idle.isEmpty && opened >= capacity { condition.wait() }
        if let store = idle.popLast() {
            condition.unlock()
            return store
        }
        opened += 1  // reserve the slot, then open outside the lock
        condition.unlock()
        do {
            return try make()
        } catch {
            condition.lock()
            opened -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func giveBack(_ store: Store) {
        condition.lock()
        idle.append(store)
        condition.signal()
        condition.unlock()
    }
}
