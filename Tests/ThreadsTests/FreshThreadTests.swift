#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import Threads

@Suite struct FreshThreadTests {
    /// The body runs on a thread other than the caller's, and its result is the caller's.
    @Test func runsTheBodyOnANewThreadAndReturnsItsCode() {
        let caller = UInt(pthread_self())
        let runner = Mutex<UInt>(0)
        let code = FreshThread.run {
            runner.withLock { $0 = UInt(pthread_self()) }
            return 42
        }
        #expect(code == 42)
        #expect(runner.withLock { $0 } != 0)
        #expect(runner.withLock { $0 } != caller)
    }
}
