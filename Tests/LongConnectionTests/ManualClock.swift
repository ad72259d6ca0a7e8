import Synchronization

/// A clock that stands still until the test moves it. Tests wait until the code under test sleeps
/// until a given instant (`waitForSleeper(at:)`), then move the clock past it: no real time passes.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        /// Time since the clock was made.
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var lastID: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Every deadline slept until, for `waitForSleeper`.
    private let deadlines = AwaitableLogOfDeadlines()

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            state.lastID += 1
            return state.lastID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let verdict: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let verdict {
                    continuation.resume(with: verdict)
                } else {
                    deadlines.append(deadline.offset, id: id)
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            deadlines.remove(id: id)
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock to `offset` and wakes every sleeper due by then, earliest first.
    func advance(to offset: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = Instant(offset: max(offset, state.now.offset))
            let due = state.sleepers.filter { $0.deadline <= state.now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= state.now }
            return due
        }
        for sleeper in due {
            deadlines.remove(id: sleeper.id)
            sleeper.continuation.resume()
        }
    }

    /// True once something sleeps until `offset` (false after a real-time safety timeout).
    func waitForSleeper(at offset: Duration) async -> Bool {
        await deadlines.waitFor(offset)
    }
}

/// The pending deadlines of a `ManualClock`, awaitable.
private final class AwaitableLogOfDeadlines: Sendable {
    private struct State {
        var pending: [UInt64: Duration] = [:]
        var waiters: [(offset: Duration, continuation: CheckedContinuation<Bool, Never>, id: UInt64)] = []
        var lastWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    func append(_ offset: Duration, id: UInt64) {
        let ready = state.withLock { state in
            state.pending[id] = offset
            let ready = state.waiters.filter { $0.offset == offset }
            state.waiters.removeAll { $0.offset == offset }
            return ready.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    func remove(id: UInt64) {
        _ = state.withLock { $0.pending.removeValue(forKey: id) }
    }

    func waitFor(_ offset: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let waiter: UInt64? = state.withLock { state in
                if state.pending.values.contains(offset) { return nil }
                state.lastWaiter += 1
                state.waiters.append((offset, continuation, state.lastWaiter))
                return state.lastWaiter
            }
            guard let waiter else { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: .seconds(60))
                let expired = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
                    guard let index = state.waiters.firstIndex(where: { $0.id == waiter }) else { return nil }
                    return state.waiters.remove(at: index).continuation
                }
                expired?.resume(returning: false)
            }
        }
    }
}
