/// The job a responder queues for a worker: the decrypted callback exactly as WeCom sent it,
/// plus the text with the bot's @name already removed (names are configuration the worker
/// need not look up again). Built by splicing the raw JSON object, so nothing is lost.
public enum JobPayload {
    public static func make(message: [UInt8], text: String?) -> String {
        var out = #"{"v":1,"text":"#
        if let text { out += jsonString(text) } else { out += "null" }
        out += #","message":"#
        out += String(decoding: message, as: UTF8.self)
        out += "}"
        return out
    }

    /// A JSON string literal for `s`.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
