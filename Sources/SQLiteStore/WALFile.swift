#if canImport(Glibc)
import Glibc
#endif

/// A descriptor of our own on the database's `-wal` file, to flush it to disk while holding no
/// SQLite lock. SQLite takes no POSIX locks on the WAL file itself (its locks are on the
/// database and the `-shm` file), so opening and closing this descriptor cannot drop one.
/// Reopened when the file was replaced (the last connection to close deletes it).
final class WALFile {
    private let path: String
    private var fd: Int32 = -1
    private var inode: ino_t = 0

    init(databasePath: String) {
        path = databasePath + "-wal"
    }

    deinit { if fd >= 0 { close(fd) } }

    /// `fdatasync` of the WAL's written pages; false when there is no WAL file to flush.
    @discardableResult
    func sync() -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        if fd < 0 || info.st_ino != inode {
            if fd >= 0 { close(fd) }
            fd = open(path, O_RDONLY | O_CLOEXEC)
            inode = info.st_ino
        }
        return fd >= 0 && fdatasync(fd) == 0
    }
}

@available(*, unavailable) extension WALFile: Sendable {}
