import BotStore
import Foundation
import Logging
import WakeSignal

/// The SQLite backend: one database file (with its `-wal`, `-shm` and `-accept.lock` companions)
/// that every process on the host opens, and a folder of worker wake-up sockets.
public struct SQLiteBackend: StoreBackend {
    public let path: String
    /// The folder of the workers' wake-up sockets (`WECOM_WAKE_DIR`); responders and workers
    /// must agree on it.
    public let wakeDirectory: String

    public init(path: String, wakeDirectory: String) {
        self.path = path
        self.wakeDirectory = wakeDirectory
    }

    /// The file's absolute path, so that a log line or `wecomctl init` names one file whatever
    /// the working directory.
    public var description: String { URL(fileURLWithPath: path).standardizedFileURL.path }

    public func exists() throws -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Creates the file's folder, then migrates inside one `BEGIN IMMEDIATE` (see
    /// ``SQLiteStore/migrate()``).
    public func prepare() throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let store = try SQLiteStore(path: path)
        defer { store.close() }
        try store.migrate()
    }

    /// A worker first skips SQLite's per-connection page-cache preallocation, which is only
    /// possible before the process's first connection; then, for either role, see ``SQLiteProcess``.
    public func startProcess(_ role: StoreProcessRole, logger: Logger) throws -> any StoreProcess {
        if role == .worker, !SQLiteStore.skipPageCachePreallocation() {
            logger.warning("SQLite was already in use: connections keep their page-cache preallocation")
        }
        try prepare()
        return try SQLiteProcess(path: path, role: role, logger: logger)
    }

    /// A connection with SQLite's default automatic checkpoints: with no checkpointing thread
    /// beside it, its own commits keep the WAL short.
    public func openStore() throws -> any BotStore {
        try SQLiteStore(path: path)
    }

    /// A plain connection: in WAL mode a read waits for no writer, and opening the file is all
    /// that can fail.
    public func openProbe() throws -> any BotStore {
        try SQLiteStore(path: path)
    }

    public func openTransfer() throws -> any BotStore & StoreTransfer {
        try SQLiteStore(path: path)
    }

    public func makeJobSignal() -> any JobSignal {
        WakeFolderSignal(directory: wakeDirectory)
    }

    /// Creates the folder if needed (with its parents: `WECOM_WAKE_DIR` may be anywhere), then
    /// binds this process's socket in it.
    public func makeJobWaiter() throws -> any JobWaiter {
        try FileManager.default.createDirectory(atPath: wakeDirectory, withIntermediateDirectories: true)
        return WakeFolderWaiter(receiver: try WakeReceiver(directory: wakeDirectory))
    }

    /// A truncating checkpoint: the deleted rows' pages leave the WAL, and the WAL file shrinks.
    /// The database file keeps its size (SQLite reuses free pages; `VACUUM` would shrink it, but
    /// holds the write lock for the whole copy).
    public func reclaimSpace() throws -> String {
        let store = try SQLiteStore(path: path)
        defer { store.close() }
        let result = try store.checkpoint()
        return result.complete ? "WAL checkpoint: complete, log truncated"
            : "WAL checkpoint: partial (readers were active); the services' background checkpoint completes it"
    }
}
