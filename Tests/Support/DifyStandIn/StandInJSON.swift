import Foundation

/// A decoded JSON value, for asserting on what a client sent (request bodies, posted
/// responses). Named so it does not clash with `WeComModel.JSONValue` in test targets.
public enum StandInJSON: Sendable, Equatable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([StandInJSON])
    case object([String: StandInJSON])

    /// Parses `data`; nil when it is not valid JSON.
    public static func parse(_ data: Data) -> StandInJSON? {
        guard !data.isEmpty else { return nil }
        return try? JSONDecoder().decode(StandInJSON.self, from: data)
    }

    public static func parse(_ text: String) -> StandInJSON? { parse(Data(text.utf8)) }

    public subscript(_ key: String) -> StandInJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public subscript(_ index: Int) -> StandInJSON? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .number(let value) = self, value.rounded() == value, abs(value) < 9e15 { return Int(value) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [StandInJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [String: StandInJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([StandInJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: StandInJSON].self))
        }
    }

    /// Compact JSON with sorted keys.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if let int = intValue { return String(int) }
            return String(value)
        case .string(let value): return JSONText.quote(value, asciiOnly: false)
        case .array(let items): return "[" + items.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.sorted { $0.key < $1.key }
                .map { JSONText.quote($0.key, asciiOnly: false) + ":" + $0.value.description }
                .joined(separator: ",") + "}"
        }
    }
}
