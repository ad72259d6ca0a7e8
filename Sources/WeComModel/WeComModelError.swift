/// The callback plaintext could not be understood; the caller should drop it (answer empty).
public enum WeComModelError: Error, Equatable, CustomStringConvertible {
    /// A one-line reason naming the offending field, e.g. `text.content: expected string, got number`.
    case malformed(String)

    public var description: String {
        switch self {
        case let .malformed(reason): return "malformed WeCom message: \(reason)"
        }
    }
}
