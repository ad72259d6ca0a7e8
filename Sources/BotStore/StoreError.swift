/// Errors that any store backend reports in the same terms.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The database file exists but its schema is newer than this build understands.
    case schemaTooNew(found: Int, supported: Int)
    /// A stream, job or bot the call named does not exist.
    case notFound(String)
    /// The backend failed; `detail` carries its own code and message.
    case backend(String)
    /// A write of the callback path (a new message, an event) could not be stored within about
    /// 2 seconds, for a cause that passes (the write lock held by another connection, the
    /// database unreachable or restarting, the disk full): nothing was stored, and the caller
    /// answers so that WeCom delivers the callback again. `cause` is one line naming the cause
    /// and how long the store tried.
    case unavailable(String)

    public var description: String {
        switch self {
        case let .schemaTooNew(found, supported):
            return "database schema version \(found) is newer than this build supports (\(supported))"
        case let .notFound(what): return "not found: \(what)"
        case let .backend(detail): return detail
        case let .unavailable(cause): return "the store could not take the write in time: \(cause)"
        }
    }
}
