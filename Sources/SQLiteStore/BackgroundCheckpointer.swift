import Foundation
import Logging
import Threads

/// Copies the WAL back into the database file every 50 ms, from its own thread and store
/// connection, with a passive checkpoint (it never blocks readers or writers; with nothing new
/// it costs a few system calls). A checkpoint ends with an fsync that can take tens of
/// milliseconds; done here, no request waits for it (responders and workers open their
/// connections with `wal_autocheckpoint` 0, so no commit of theirs checkpoints). The short interval
/// keeps each checkpoint, and the WAL restart after it, small: longer intervals left writers
/// stalled for longer (bench/README.md).
///
/// Every responder and worker process runs one (``SQLiteProcess``). Start it after any fork (in
/// the process that keeps it): a forked child gets no threads.
final class BackgroundCheckpointer: Sendable {
    private let thread: IntervalThread

    init(store: SQLiteStore, interval: TimeInterval = 0.05, logger: Logger) {
        // The store is used by the interval thread alone.
        thread = IntervalThread(name: "wal-checkpoint", interval: interval) { last in
            guard !last else { return }
            do {
                try store.backgroundCheckpoint()
            } catch {
                logger.debug("background checkpoint: \(error)")
            }
        }
    }

    func start() { thread.start() }

    /// Stops the thread after its current checkpoint; returns once it has ended.
    func stop() { thread.stop() }
}
