extension SQLiteError {
    /// For a failure that passes without anyone fixing this program or the database (trying the
    /// same write later can succeed), what it means, in one line; nil for the others.
    ///
    /// - `SQLITE_BUSY`: another connection kept the write lock (an operator's open transaction,
    ///   a long write) beyond the wait.
    /// - `SQLITE_IOERR`, `SQLITE_CANTOPEN`: the file or its `-wal`/`-shm` could not be read,
    ///   written or opened (a lost mount, a permission changed under the service).
    /// - `SQLITE_FULL`: the disk (or `max_page_count`) is full; a purge or more space fixes it.
    /// - `SQLITE_PROTOCOL`: a race for the WAL's locks kept failing.
    ///
    /// Not here: `SQLITE_LOCKED` (a conflict inside one connection or a shared cache, which this
    /// module does not use: a bug), `SQLITE_READONLY` (the file was moved or replaced; needs a
    /// restart), `SQLITE_CORRUPT`, `SQLITE_NOTADB`, `SQLITE_CONSTRAINT`, `SQLITE_NOMEM`.
    ///
    /// Related SQLite documentation: https://sqlite.org/rescode.html
    var unavailableCause: String? {
        let meaning: String
        switch code.primary {
        case .busy: meaning = "another connection holds the write lock"
        case .ioError: meaning = "the database files could not be read or written, extended code \(code.rawValue)"
        case .cantOpen: meaning = "a database file could not be opened, extended code \(code.rawValue)"
        case .full: meaning = "no space left for the write"
        case .lockingProtocol: meaning = "the race for the WAL locks kept failing"
        default: return nil
        }
        return "\(message) (\(meaning))"
    }
}
