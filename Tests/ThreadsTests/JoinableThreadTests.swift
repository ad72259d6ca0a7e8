#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import Threads

@Suite struct JoinableThreadTests {
    /// The body runs on a new thread, and joining the returned id waits for it to finish.
    @Test func runsTheBodyOnItsOwnThreadUntilJoined() throws {
        let caller = UInt(pthread_self())
        let ran = Mutex<UInt?>(nil)
        let thread = try JoinableThread.start("test") { ran.withLock { $0 = UInt(pthread_self()) } }
        #expect(pthread_join(thread, nil) == 0)
        let runner = try #require(ran.withLock { $0 })
        #expect(runner == UInt(thread))
        #expect(runner != caller)
    }

    /// The error says which thread could not be created, with pthread_create's code and message.
    @Test func theStartErrorKeepsTheCodeAndMessage() {
        let error = ThreadStartError(target: "serving thread 2", code: EAGAIN)
        #expect(error.description == "pthread_create(serving thread 2) failed: Resource temporarily unavailable (errno \(EAGAIN))")
    }
}
