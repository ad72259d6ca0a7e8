extension JSONValue {
    /// Deepest nesting `parse` accepts. WeCom's callbacks nest at most ~8 levels.
    public static let maxDepth = 64

    /// Parses UTF-8 JSON text (any top-level value, objects and arrays included).
    /// - Throws: `WeComModelError.malformed` when the bytes are not valid JSON or nest deeper
    ///   than `depthLimit` (``maxDepth`` unless a wrapper adds levels of its own).
    public static func parse(_ json: [UInt8], depthLimit: Int = maxDepth) throws -> JSONValue {
        do {
            return try JSONReader.parse(json, depthLimit: depthLimit)
        } catch let .tooDeep(limit) {
            throw WeComModelError.malformed("JSON nested deeper than \(limit) levels")
        } catch {
            throw WeComModelError.malformed("invalid JSON")
        }
    }

    /// Compact UTF-8 JSON with sorted keys and unescaped slashes (see `JSONWriter`).
    public func jsonBytes() -> [UInt8] {
        JSONWriter.bytes(self)
    }

    /// A short name of the JSON type, for error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
