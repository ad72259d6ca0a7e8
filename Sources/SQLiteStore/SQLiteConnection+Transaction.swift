import CSQLite

extension SQLiteConnection {
    /// Runs `body` in a write transaction: `BEGIN IMMEDIATE` … `COMMIT`, rolled back on any
    /// thrown error.
    ///
    /// IMMEDIATE takes the write lock up front, so all waiting happens in the busy handler.
    /// A deferred BEGIN that reads and then writes fails at once with SQLITE_BUSY when another
    /// connection wrote in between, without calling the busy handler (docs/systems.md §3.2).
    /// Transactions do not nest.
    ///
    /// Related SQLite documentation: https://sqlite.org/lang_transaction.html
    func transaction<T>(_ body: () throws -> T) throws -> T {
        precondition(isAutocommit, "SQLiteConnection.transaction does not nest")
        try withStatement("BEGIN IMMEDIATE") { try $0.run() }
        do {
            let result = try body()
            try withStatement("COMMIT") { try $0.run() }
            return result
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    /// Rolls back the open transaction, if SQLite has not already done so itself.
    private func rollbackIfOpen() {
        guard !isAutocommit else { return }
        _ = try? withStatement("ROLLBACK") { try $0.run() }
    }
}
