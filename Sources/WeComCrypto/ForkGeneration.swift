#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How many `fork`s lie between the first process that asked and the one asking now: 0 there,
/// and one more in each child. A `pthread_atfork` child handler counts them, so telling "am I
/// still the process that filled this cache" costs an atomic load instead of a `getpid`
/// system call on every draw of the request path.
///
/// The handler is registered by the first read, before anything that depends on the answer
/// exists in the process, so every later `fork` is counted. Only `fork` runs it (`vfork` and
/// `posix_spawn` children `exec` at once and keep no state of ours).
enum ForkGeneration {
    private static let count = Atomic<Int>(0)

    private static let registered: Bool = {
        pthread_atfork(nil, nil, { ForkGeneration.count.add(1, ordering: .relaxed) }) == 0
    }()

    static var current: Int {
        _ = registered
        return count.load(ordering: .relaxed)
    }
}
