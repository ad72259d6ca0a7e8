/// Typed access to one JSON object's members, throwing `WeComModelError.malformed` with the
/// dotted path of the field (`quote.text.content`) when a field has the wrong type.
///
/// Missing members and JSON `null` both read as absent. Accessors taking several keys accept
/// alternative spellings (`card_type` or `cardtype`) and use the first one present.
struct FieldReader {
    let members: [String: JSONValue]
    /// Dotted path of this object; empty for the top-level message.
    let path: String

    init(_ value: JSONValue, path: String) throws {
        guard case let .object(members) = value else {
            throw WeComModelError.malformed(
                "\(path.isEmpty ? "message" : path): expected object, got \(value.typeName)")
        }
        self.members = members
        self.path = path
    }

    /// The object itself, for `raw` payloads.
    var raw: JSONValue { .object(members) }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The first present spelling and its value.
    private func lookup(_ keys: [String]) -> (key: String, value: JSONValue)? {
        for key in keys {
            if let value = members[key], value != .null { return (key, value) }
        }
        return nil
    }

    private func mismatch(_ key: String, _ expected: String, _ value: JSONValue) -> WeComModelError {
        .malformed("\(fieldPath(key)): expected \(expected), got \(value.typeName)")
    }

    private func missing(_ keys: [String]) -> WeComModelError {
        .malformed("\(fieldPath(keys[0])): missing")
    }

    func string(_ keys: String...) throws -> String? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case let .string(string) = value else { throw mismatch(key, "string", value) }
        return string
    }

    func requiredString(_ keys: String...) throws -> String {
        guard let (key, value) = lookup(keys) else { throw missing(keys) }
        guard case let .string(string) = value else { throw mismatch(key, "string", value) }
        return string
    }

    /// An integer; a string of decimal digits is accepted too.
    func int(_ keys: String...) throws -> Int? {
        guard let (key, value) = lookup(keys) else { return nil }
        return try Self.integer(value, path: fieldPath(key))
    }

    func requiredInt(_ keys: String...) throws -> Int {
        guard let (key, value) = lookup(keys) else { throw missing(keys) }
        return try Self.integer(value, path: fieldPath(key))
    }

    func object(_ keys: String...) throws -> FieldReader? {
        guard let (key, value) = lookup(keys) else { return nil }
        return try FieldReader(value, path: fieldPath(key))
    }

    func requiredObject(_ keys: String...) throws -> FieldReader {
        guard let (key, value) = lookup(keys) else { throw missing(keys) }
        return try FieldReader(value, path: fieldPath(key))
    }

    /// An array; a single non-array value is read as a one-element array, as XML-to-JSON
    /// converters emit for lists of one.
    func list(_ keys: String...) -> (path: String, elements: [JSONValue])? {
        guard let (key, value) = lookup(keys) else { return nil }
        if case let .array(elements) = value { return (fieldPath(key), elements) }
        return (fieldPath(key), [value])
    }

    static func integer(_ value: JSONValue, path: String) throws -> Int {
        switch value {
        case let .number(number):
            if let int = Int(exactly: number) { return int }
        case let .string(string):
            if let int = Int(string) { return int }
        default:
            break
        }
        throw WeComModelError.malformed("\(path): expected integer, got \(value.typeName)")
    }

    static func string(_ value: JSONValue, path: String) throws -> String {
        guard case let .string(string) = value else {
            throw WeComModelError.malformed("\(path): expected string, got \(value.typeName)")
        }
        return string
    }
}
