import BotStore

/// Copying the WAL back into the database file. https://sqlite.org/pragma.html#pragma_wal_checkpoint
extension SQLiteStore {
    /// `PRAGMA wal_checkpoint(TRUNCATE)`, waiting for writers through the busy handler (after
    /// an operator's purge: ``SQLiteBackend/reclaimSpace()``).
    public func checkpoint() throws -> CheckpointResult {
        try walCheckpoint("TRUNCATE")
    }

    /// `PRAGMA wal_checkpoint(PASSIVE)`: copies what it can from the WAL into the database
    /// without waiting for or blocking anyone.
    ///
    /// When it copied the whole log, the log restarts next. With `synchronous=NORMAL` SQLite
    /// fsyncs the WAL when it begins to reuse it, inside the restarting commit, so under the
    /// write lock: every writer waits for that fsync, which has megabytes of WAL to write when
    /// the checkpoint's own sync was long ago. So the WAL is flushed
    /// here first, holding no lock, and this connection then makes the restarting commit
    /// itself (one page), whose fsync has next to nothing left to write. A log shorter than
    /// ``restartThreshold`` pages is left to grow: an idle database sees no writes at all.
    ///
    /// Under continuous writes from several processes some transaction always still reads the
    /// log, so it can never restart and grows without bound, every frame written to newly
    /// allocated blocks. Past ``forceRestartPages`` the
    /// checkpoint is therefore a RESTART one: it holds new writers off while the readers finish
    /// and the rest is copied (a few milliseconds once the passive ones have done the bulk).
    @discardableResult
    public func backgroundCheckpoint() throws -> CheckpointResult {
        var result = try walCheckpoint("PASSIVE")
        if result.logPages >= Self.forceRestartPages {
            result = try walCheckpoint("RESTART")
        }
        if result.complete, result.logPages >= Self.restartThreshold, result.checkpointedPages == result.logPages {
            walFile.sync()
            try restartLog()
        }
        return result
    }

    /// About 50 MB of log, under the 64 MiB `journal_size_limit`, so the file is reused as it is.
    static let forceRestartPages = 12288

    /// 16 MiB of log, about 500 new messages: at 2,000 new messages/s the log restarts about
    /// four times a second, each restart one fsync under the write lock.
    static let restartThreshold = 4096

    /// A write of the same `user_version`: the smallest commit (page 1), and the first frame of
    /// the restarted log when nobody wrote since the checkpoint.
    private func restartLog() throws {
        try connection.transaction {
            let version = try connection.withStatement("PRAGMA user_version") { row in
                _ = try row.step()
                return row.int64(0)
            }
            try connection.execute("PRAGMA user_version = \(version)")
        }
    }

    private func walCheckpoint(_ mode: String) throws -> CheckpointResult {
        try connection.withStatement("PRAGMA wal_checkpoint(\(mode))") { row in
            guard try row.step() else { return CheckpointResult(complete: true, logPages: 0, checkpointedPages: 0) }
            return CheckpointResult(complete: row.int64(0) == 0, logPages: Int(row.int64(1)),
                                    checkpointedPages: Int(row.int64(2)))
        }
    }
}
