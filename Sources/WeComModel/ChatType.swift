/// `chattype`: a direct message or a group chat.
public enum ChatType: Sendable, Equatable, Hashable {
    case single
    case group
    /// Any other value, kept verbatim.
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "single": self = .single
        case "group": self = .group
        default: self = .other(rawValue)
        }
    }

    /// The wire spelling.
    public var rawValue: String {
        switch self {
        case .single: return "single"
        case .group: return "group"
        case let .other(value): return value
        }
    }
}
