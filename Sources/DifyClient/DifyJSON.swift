/// Arbitrary JSON, for payloads whose shape the app author decides (workflow `outputs`).
public enum DifyJSON: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([DifyJSON])
    case object([String: DifyJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([DifyJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: DifyJSON].self))
        }
    }

    /// The string, when this is a JSON string.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The member `key`, when this is an object that has it.
    public subscript(key: String) -> DifyJSON? {
        if case .object(let members) = self { members[key] } else { nil }
    }
}
