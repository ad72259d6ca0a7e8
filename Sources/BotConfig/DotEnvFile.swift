import Foundation

/// Reads a `.env` file: `KEY=value` lines, `#` comments, optional `export `, single quotes
/// (literal), double quotes (with `\n`, `\"`, `\\` escapes), and ` # comment` after an
/// unquoted value — the format the original Python service's `.env` uses.
public enum DotEnvFile {
    /// Parses `text`; a malformed line throws with its line number (never its content).
    public static func parse(_ text: String, fileName: String = ".env") throws -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop(while: { $0 == " " }) }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigurationError(variable: "\(fileName):\(index + 1)", reason: "expected KEY=value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard isValidName(key) else {
                throw ConfigurationError(variable: "\(fileName):\(index + 1)", reason: "invalid variable name")
            }
            let rest = line[line.index(after: eq)...].drop(while: { $0 == " " || $0 == "\t" })
            guard let value = parseValue(rest) else {
                throw ConfigurationError(variable: "\(fileName):\(index + 1)", reason: "unterminated quoted value for \(key)")
            }
            values[key] = value
        }
        return values
    }

    /// Reads and parses the file at `path`; a missing file is an empty set of values.
    public static func load(path: String) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(variable: path, reason: "cannot read the file as UTF-8")
        }
        return try parse(text, fileName: path)
    }

    private static func isValidName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func parseValue(_ rest: Substring) -> String? {
        if rest.hasPrefix("'") {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: "'") else { return nil }
            return String(body[..<end])
        }
        if rest.hasPrefix("\"") {
            var out = ""
            var escaped = false
            for ch in rest.dropFirst() {
                if escaped {
                    switch ch {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: out.append(ch)
                    }
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    return out
                } else {
                    out.append(ch)
                }
            }
            return nil
        }
        // Unquoted: a comment starts at "#" preceded by whitespace (or at the very start).
        var value = rest
        if value.hasPrefix("#") {
            value = ""
        } else if let range = value.range(of: " #") ?? value.range(of: "\t#") {
            value = value[..<range.lowerBound]
        }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
