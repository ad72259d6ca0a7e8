/// Why the intake refused a message, with nothing written. Descriptions never hold the
/// message's text.
public enum IntakeError: Error, Equatable, CustomStringConvertible {
    /// A user message without a msgid, which dedupe needs.
    case missingMsgID
    /// A long-connection callback body that is not a message: the model's reason.
    case malformed(String)

    public var description: String {
        switch self {
        case .missingMsgID: return "message without msgid"
        case let .malformed(reason): return "callback body: \(reason)"
        }
    }
}
