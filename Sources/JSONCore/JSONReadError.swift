/// Why `JSONReader` refused its input. `offset` is the byte where reading stopped.
public enum JSONReadError: Error, Equatable, CustomStringConvertible {
    /// Not RFC 8259 JSON (or not UTF-8, or a number outside `Double`'s range).
    case invalid(offset: Int, reason: String)
    /// More than the allowed number of arrays and objects open at once.
    case tooDeep(limit: Int)

    public var description: String {
        switch self {
        case let .invalid(offset, reason): return "invalid JSON at byte \(offset): \(reason)"
        case let .tooDeep(limit): return "JSON nested deeper than \(limit) levels"
        }
    }
}
