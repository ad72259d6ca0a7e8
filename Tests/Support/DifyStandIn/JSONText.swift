import Foundation
import JSONCore

extension DifyStandIn {
    /// How the stand-in serialises JSON, mirroring the two serialisers Dify has used.
    public enum JSONStyle: Sendable {
        /// `orjson` (current Dify): no spaces, non-ASCII written as raw UTF-8.
        case compact
        /// Python `json.dumps` defaults (older Dify): `", "` / `": "` separators and non-ASCII
        /// escaped as `\uXXXX` (surrogate pairs above the BMP).
        case pythonDefault
    }
}

/// JSON with members in a fixed order (Dify's field order), written by hand so the exact
/// bytes on the wire are under the stand-in's control: JSONCore's writer sorts keys and has
/// no `ensure_ascii` style. What clients send is read with JSONCore (`read`).
indirect enum JSONText {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case object([(String, JSONText)])
    case array([JSONText])

    static func optional(_ value: String?) -> JSONText { value.map(JSONText.string) ?? .null }

    func encoded(_ style: DifyStandIn.JSONStyle) -> String {
        var out = ""
        write(into: &out, style: style)
        return out
    }

    private func write(into out: inout String, style: DifyStandIn.JSONStyle) {
        let ascii = style == .pythonDefault
        let comma = style == .pythonDefault ? ", " : ","
        let colon = style == .pythonDefault ? ": " : ":"
        switch self {
        case .string(let value): out += JSONText.quote(value, asciiOnly: ascii)
        case .int(let value): out += String(value)
        case .double(let value):
            out += value.isFinite ? String(value) : "null" // Swift and Python both print the shortest repr
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += comma }
                out += JSONText.quote(member.0, asciiOnly: ascii) + colon
                member.1.write(into: &out, style: style)
            }
            out += "}"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += comma }
                item.write(into: &out, style: style)
            }
            out += "]"
        }
    }

    /// A JSON string literal. Escapes `"`, `\` and control characters; with `asciiOnly`
    /// also everything above U+007F, as Python's `ensure_ascii` does.
    static func quote(_ value: String, asciiOnly: Bool) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else if asciiOnly && scalar.value > 0x7F {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        out += String(format: "\\u%04x\\u%04x", 0xD800 + (offset >> 10), 0xDC00 + (offset & 0x3FF))
                    } else {
                        out += String(format: "\\u%04x", scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension JSONText {
    /// A request or response body as the project's strict reader sees it; nil when it is not JSON.
    static func read(_ body: Data) -> JSONValue? { try? JSONReader.parse([UInt8](body), depthLimit: 512) }
}
