import Foundation

/// Two threads of the tests' own that run the sessions, their sends and the test bodies.
///
/// The rest of the test suite blocks the cooperative pool's few threads (one per core) for
/// seconds at a time; a session on that pool would then miss acks and heartbeats for reasons
/// that have nothing to do with it. On these threads it runs as `wecom-ws` will, with nothing
/// else blocking them.
final class TestThreads: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is only touched while holding `condition`.
    static let shared = TestThreads(count: 2)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init(count: Int) {
        for index in 0..<count {
            let thread = Thread { [self] in serve() }
            thread.name = "long-connection tests \(index + 1)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Runs `body` on `TestThreads` (and every child task it starts).
func onTestThreads<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(TestThreads.shared, operation: body)
}

/// A task on `TestThreads`: unstructured tasks do not inherit the preference.
func testThreadsTask<T: Sendable>(_ body: sending @escaping () async throws -> T) -> Task<T, any Error> {
    Task(executorPreference: TestThreads.shared, operation: body)
}
