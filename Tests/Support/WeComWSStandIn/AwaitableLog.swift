import Synchronization

/// An append-only, thread-safe list that async tests wait on: `wait` returns as soon as enough
/// records match, without sleeping or blocking a thread of the cooperative pool.
public final class AwaitableLog<Element: Sendable>: Sendable {
    private struct Waiter {
        let id: UInt64
        let count: Int
        let predicate: @Sendable (Element) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var items: [Element] = []
        var waiters: [Waiter] = []
        var lastWaiterID: UInt64 = 0

        func satisfied(_ count: Int, _ predicate: (Element) -> Bool) -> Bool {
            items.lazy.filter(predicate).count >= count
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func append(_ element: Element) {
        let ready = state.withLock { state -> [Waiter] in
            state.items.append(element)
            let ready = state.waiters.filter { state.satisfied($0.count, $0.predicate) }
            state.waiters.removeAll { waiter in ready.contains { $0.id == waiter.id } }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// Every record so far.
    public var all: [Element] { state.withLock { $0.items } }

    public var count: Int { state.withLock { $0.items.count } }

    /// True once `count` records match `predicate`; false if `timeout` (real time) passes first,
    /// a safety net that keeps a broken test from hanging, not a measurement.
    public func wait(count: Int = 1, timeout: Duration = .seconds(60),
                     where predicate: @escaping @Sendable (Element) -> Bool = { _ in true }) async -> Bool {
        let id: UInt64? = state.withLock { state in
            if state.satisfied(count, predicate) { return nil }
            state.lastWaiterID += 1
            return state.lastWaiterID
        }
        guard let id else { return true }
        return await withCheckedContinuation { continuation in
            let registered = state.withLock { state -> Bool in
                // Checked again: a record may have come in since the first look.
                if state.satisfied(count, predicate) { return false }
                state.waiters.append(Waiter(id: id, count: count, predicate: predicate, continuation: continuation))
                return true
            }
            guard registered else { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: timeout)
                let expired = self.state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                expired?.continuation.resume(returning: false)
            }
        }
    }
}
