import BotStore
import Logging
import Synchronization

/// What the threads of one SQLite responder or worker process share: the checkpointing thread
/// (their own connections never checkpoint) and, for a responder with several serving threads,
/// the group committer of new messages.
final class SQLiteProcess: StoreProcess {
    private let path: String
    private let checkpointer: BackgroundCheckpointer
    private let committer: AcceptCommitter?
    private let logger: Logger
    private let stopped = Mutex(false)

    init(path: String, role: StoreProcessRole, logger: Logger) throws {
        self.path = path
        self.logger = logger
        // A single serving thread has nobody to share a commit with: it commits alone, as a
        // worker does.
        if case let .responder(threads) = role, threads > 1 {
            committer = try AcceptCommitter(path: path)
        } else {
            committer = nil
        }
        // The checkpointer's connection keeps the default automatic checkpoints; it checkpoints
        // anyway.
        checkpointer = BackgroundCheckpointer(store: try SQLiteStore(path: path), logger: logger)
        checkpointer.start()
    }

    /// Never checkpoints on commit (`wal_autocheckpoint` 0): the checkpointing thread does.
    func openStore() throws -> any BotStore {
        try SQLiteStore(path: path, autoCheckpointPages: 0, acceptCommitter: committer)
    }

    /// The group-commit summary: messages and the transactions they took (their ratio is the
    /// average batch).
    func stop() {
        guard stopped.withLock({ stopped in
            defer { stopped = true }
            return !stopped
        }) else { return }
        checkpointer.stop()
        if let counts = committer?.committed, counts.messages > 0 {
            logger.info("group commit", metadata: ["messages": "\(counts.messages)", "transactions": "\(counts.transactions)"])
        }
    }
}
