import BotStore
import Logging
import ServiceSupport

/// What the serving threads of one responder process share: the store's per-process part (its
/// accept path and upkeep) and the log flusher. Made by the first `makeApplication` call in the
/// process. When the process stops, the store part logs its summary.
final class ServingProcess {
    let stores: any StoreProcess
    /// Routine log lines are gathered and written every 100 ms (`LogLineBuffer`).
    private let logFlusher: LogLineFlusher
    private var summaryLogged = false

    init(backend: any StoreBackend, threads: Int, logger: Logger) throws {
        stores = try backend.startProcess(.responder(threads: threads), logger: logger)
        logFlusher = LogLineFlusher()
    }

    /// Called by each thread's application after all have stopped, on one thread; logs once,
    /// then writes every gathered log line and every later one at once.
    func logSummaryOnce() {
        guard !summaryLogged else { return }
        summaryLogged = true
        stores.stop()
        logFlusher.stop()
    }
}
