import Foundation

/// An append-only, thread-safe list of records that tests can inspect and wait on without
/// sleeping.
///
/// `@unchecked Sendable`: `items` is only touched while `condition` is locked, and the
/// elements themselves are `Sendable` values.
public final class RecordLog<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []

    public init() {}

    public func append(_ element: Element) {
        condition.lock()
        items.append(element)
        condition.broadcast()
        condition.unlock()
    }

    /// A snapshot of every record so far.
    public var all: [Element] {
        condition.lock()
        defer { condition.unlock() }
        return items
    }

    public var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }

    public var last: Element? {
        condition.lock()
        defer { condition.unlock() }
        return items.last
    }

    public func removeAll() {
        condition.lock()
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until at least `count` records satisfy `predicate` (true), or `timeout` passes
    /// (false).
    @discardableResult
    public func wait(count: Int, timeout: TimeInterval,
                     where predicate: (Element) -> Bool = { _ in true }) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while items.lazy.filter(predicate).count < count {
            if !condition.wait(until: deadline) {
                return items.lazy.filter(predicate).count >= count
            }
        }
        return true
    }
}
