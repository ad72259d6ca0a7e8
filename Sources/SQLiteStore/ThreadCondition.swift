#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex with one condition variable. Owns both (at fixed addresses, as pthreads
/// requires) and destroys them in `deinit`.
final class ThreadCondition: @unchecked Sendable {
    // @unchecked: pthread mutexes and condition variables are made to be shared between threads.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Call with the mutex locked; returns with it locked again.
    func wait() { pthread_cond_wait(condition, mutex) }
    func broadcast() { pthread_cond_broadcast(condition) }
}
