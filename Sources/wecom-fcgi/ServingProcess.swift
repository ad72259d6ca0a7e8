import BotConfig
import Logging
import SQLiteStore
import ServiceSupport

/// What the serving threads of one responder process share: the background checkpointer and,
/// with several threads, the group committer for new messages. Made by the first
/// `makeApplication` call in the process; when the last application lets go of it (the process
/// is stopping), it logs how many transactions the new messages took.
final class ServingProcess {
    let checkpointer: BackgroundCheckpointer
    let committer: AcceptCommitter?
    private let logger: Logger

    init(configuration: Configuration, threads: Int, logger: Logger) throws {
        // Requests never checkpoint (wal_autocheckpoint 0): this thread, with its own
        // connection, does every 50 ms.
        checkpointer = BackgroundCheckpointer(store: try SQLiteStore(path: configuration.databasePath), logger: logger)
        committer = threads > 1 ? try AcceptCommitter(path: configuration.databasePath) : nil
        self.logger = logger
        checkpointer.start()
    }

    deinit {
        guard let counts = committer?.committed, counts.messages > 0 else { return }
        logger.info("group commit", metadata: ["messages": "\(counts.messages)", "transactions": "\(counts.transactions)"])
    }
}
