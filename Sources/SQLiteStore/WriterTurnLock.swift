import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<database>-accept.lock`, taken by each responder process's
/// ``AcceptCommitter`` around its write transaction.
///
/// SQLite's own write lock cannot be waited for: a connection that finds it taken polls through
/// its busy handler, and with several responder processes writing without pause most of those
/// naps either wake too early (one more failed attempt) or too late (the lock sat free). Waiting
/// here instead blocks in the kernel and wakes as soon as the other process's commit is done,
/// while this process's threads keep queueing their messages for the next, larger batch. Workers
/// and `wecomctl` do not take this lock; against them SQLite's lock and busy handler still decide.
///
/// The lock file holds no data. `flock` locks belong to the open file description, so a process
/// opening and closing other descriptors of the file (or of the database) cannot drop it; for the
/// same reason it does not order the threads of one process (the committer role does that).
final class WriterTurnLock {
    private let fd: Int32

    init(databasePath: String) throws {
        let path = databasePath + "-accept.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
        guard fd >= 0 else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open \(path): \(String(cString: strerror(errno)))",
                              sql: nil)
        }
    }

    deinit { close(fd) }

    /// Runs `body` holding the lock (waiting for it without a limit: the holder is a commit of
    /// a few milliseconds at most, and a process that dies releases it). Should `flock` itself
    /// fail, `body` runs anyway: SQLite's write lock alone keeps the writes correct.
    func withTurn<T>(_ body: () throws -> T) rethrows -> T {
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }
}
