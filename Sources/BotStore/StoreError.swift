/// Errors that any store backend reports in the same terms.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The database file exists but its schema is newer than this build understands.
    case schemaTooNew(found: Int, supported: Int)
    /// A stream, job or bot the call named does not exist.
    case notFound(String)
    /// The backend failed; `detail` carries its own code and message.
    case backend(String)
    /// The store cannot take the call now but may in a moment: the write lock or a table held
    /// by another transaction past the callback path's ~2 s, the database unreachable or
    /// restarting, the disk full. `cause` is one line naming the cause. A callback that could
    /// not be stored is answered "try again later" (503), never 200.
    case unavailable(String)

    public var description: String {
        switch self {
        case let .schemaTooNew(found, supported):
            return "database schema version \(found) is newer than this build supports (\(supported))"
        case let .notFound(what): return "not found: \(what)"
        case let .backend(detail): return detail
        case let .unavailable(cause): return "store unavailable: \(cause)"
        }
    }
}
