import BotConfig
import Logging
import SQLiteStore
import ServiceSupport

/// What the serving threads of one responder process share: the background checkpointer and,
/// with several threads, the group committer for new messages. Made by the first
/// `makeApplication` call in the process. When the process stops it logs how many transactions
/// the new messages took (their ratio is the average batch).
final class ServingProcess {
    let checkpointer: BackgroundCheckpointer
    let committer: AcceptCommitter?
    /// Routine log lines are gathered and written every 100 ms (`LogLineBuffer`).
    private let logFlusher: LogLineFlusher
    private let logger: Logger
    private var summaryLogged = false

    init(configuration: Configuration, threads: Int, logger: Logger) throws {
        // Requests never checkpoint (wal_autocheckpoint 0): this thread, with its own
        // connection, does every 50 ms.
        checkpointer = BackgroundCheckpointer(store: try SQLiteStore(path: configuration.databasePath), logger: logger)
        committer = threads > 1 ? try AcceptCommitter(path: configuration.databasePath) : nil
        self.logger = logger
        checkpointer.start()
        logFlusher = LogLineFlusher()
    }

    /// Called by each thread's application after all have stopped, on one thread; logs once,
    /// then writes every gathered log line and every later one at once.
    func logSummaryOnce() {
        guard !summaryLogged else { return }
        summaryLogged = true
        if let counts = committer?.committed, counts.messages > 0 {
            logger.info("group commit", metadata: ["messages": "\(counts.messages)", "transactions": "\(counts.transactions)"])
        }
        logFlusher.stop()
    }
}
