/// The outcome of a WAL checkpoint (``SQLiteStore/checkpoint()``, ``SQLiteStore/backgroundCheckpoint()``).
public struct CheckpointResult: Sendable, Equatable {
    /// False when readers kept part of the log; it is checkpointed later automatically.
    public var complete: Bool
    /// Pages in the log before truncation, and how many of them were written back.
    public var logPages: Int
    public var checkpointedPages: Int

    public init(complete: Bool, logPages: Int, checkpointedPages: Int) {
        self.complete = complete; self.logPages = logPages; self.checkpointedPages = checkpointedPages
    }
}
