import Foundation

/// A value shared between test threads behind a lock.
///
/// `@unchecked Sendable` is safe because every access to `value` goes through `lock`.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// Holds each arriving thread until `count` threads have arrived, so they start together.
///
/// `@unchecked Sendable` is safe because `arrived` is only touched with `condition` locked.
public final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var arrived = 0

    public init(count: Int) { self.count = count }

    public func arriveAndWait() {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        if arrived >= count {
            condition.broadcast()
        } else {
            while arrived < count { condition.wait() }
        }
    }
}

/// Runs `body(index)` on `count` new threads (each as a process of its own would) and waits
/// until all have returned.
public func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let finished = DispatchGroup()
    for index in 0..<count {
        finished.enter()
        Thread {
            body(index)
            finished.leave()
        }.start()
    }
    finished.wait()
}
