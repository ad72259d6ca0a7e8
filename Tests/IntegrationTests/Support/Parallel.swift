import Foundation

/// Runs work on real threads (not GCD, which on Linux does not add threads for blocking I/O),
/// so that many requests are truly in flight at once.
enum Parallel {
    /// Runs `body(0..<count)` on `width` threads; results in index order.
    static func map<T: Sendable>(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, Error>] {
        let results = Slots<T>(count: count)
        let next = Counter()
        let group = DispatchGroup()
        for _ in 0..<min(width, count) {
            group.enter()
            Thread {
                defer { group.leave() }
                while case let i = next.increment() - 1, i < count { results.set(i) { try body(i) } }
            }.start()
        }
        group.wait()
        return results.all
    }
}

/// Results filled in by several threads.
private final class Slots<T>: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var slots: [Result<T, Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ body: () throws -> T) {
        let result = Result { try body() }
        lock.lock(); slots[i] = result; lock.unlock()
    }
    var all: [Result<T, Error>] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0 ?? .failure(FixtureError("not run")) }
    }
}

/// Keeps `width` threads sending requests until stopped, counting the outcomes.
final class LoadGenerator: @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var stopped = false
    private var statuses: [Int: Int] = [:]
    private let group = DispatchGroup()
    let sent = Counter()

    /// `request(n)` sends the n-th request and returns its HTTP status (-1 when it failed).
    init(width: Int, request: @escaping @Sendable (Int) -> Int) {
        for _ in 0..<width {
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                while !isStopped {
                    let status = request(sent.increment())
                    lock.lock(); statuses[status, default: 0] += 1; lock.unlock()
                }
            }.start()
        }
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    /// Requests answered so far with `status`.
    func count(_ status: Int) -> Int { lock.lock(); defer { lock.unlock() }; return statuses[status] ?? 0 }

    /// Stops, waits for the requests in flight, and returns every status with its count.
    func stop() -> [Int: Int] {
        lock.lock(); stopped = true; lock.unlock()
        group.wait()
        lock.lock(); defer { lock.unlock() }
        return statuses
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var value = 0
    /// Adds one and returns the new value.
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    var current: Int { lock.lock(); defer { lock.unlock() }; return value }
}
