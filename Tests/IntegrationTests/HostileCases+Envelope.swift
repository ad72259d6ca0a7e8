import Foundation
import WeComCrypto

/// Hostile requests around the ciphertext: query, method, path and body envelope.
extension HostileInputTests {
    static let message = WeComSimulator.text(msgID: "hostile-never-stored", content: "hi")

    /// A correctly signed POST of `message`, then `edit` applied to its target.
    static func post(_ w: WeComSimulator, method: String = "POST", direct: Bool = false,
                     _ edit: (String) -> String = { $0 }) throws -> HostileRequest {
        let (target, body) = try w.signedPost(message)
        return HostileRequest(method: method, target: edit(target), body: body, direct: direct)
    }

    /// A correctly signed target with `body` in place of the real one.
    static func body(_ w: WeComSimulator, _ body: String) throws -> HostileRequest {
        HostileRequest(method: "POST", target: try w.signedPost(message).target, body: Array(body.utf8))
    }

    /// `target` with query parameter `name` set to `value` (appended if absent), or removed.
    static func setting(_ name: String, _ value: String?, in target: String) -> String {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        var pairs = parts.count > 1 ? parts[1].split(separator: "&").map(String.init) : []
        let index = pairs.firstIndex { $0.hasPrefix(name + "=") }
        switch (index, value) {
        case let (i?, v?): pairs[i] = name + "=" + v
        case let (i?, nil): pairs.remove(at: i)
        case let (nil, v?): pairs.append(name + "=" + v)
        case (nil, nil): break
        }
        return parts[0] + "?" + pairs.joined(separator: "&")
    }

    static func value(_ name: String, in target: String) -> String {
        target.split(separator: "?").last?.split(separator: "&").first { $0.hasPrefix(name + "=") }
            .map { String($0.dropFirst(name.count + 1)) } ?? ""
    }

    static let envelopeCases: [HostileCase] = [
        HostileCase("signature made with another token", 403, "-40001") { w in
            let other = try WeComSimulator(port: w.port, botID: w.botID, token: "not-the-token", key: w.key)
            let (t, b) = try other.signedPost(message)
            return HostileRequest(method: "POST", target: t, body: b)
        },
        HostileCase("signature in upper-case hex", 403, "-40001") { w in
            try post(w) { setting("msg_signature", value("msg_signature", in: $0).uppercased(), in: $0) }
        },
        HostileCase("empty msg_signature", 403, "missing msg_signature") { w in try post(w) { setting("msg_signature", "", in: $0) } },
        HostileCase("nonce changed after signing", 403, "-40001") { w in try post(w) { setting("nonce", "1", in: $0) } },
        HostileCase("timestamp changed after signing", 403, "-40001") { w in try post(w) { setting("timestamp", "1", in: $0) } },
        HostileCase("missing timestamp", 400, "missing timestamp") { w in try post(w) { setting("timestamp", nil, in: $0) } },
        HostileCase("empty timestamp", 400, "missing timestamp") { w in try post(w) { setting("timestamp", "", in: $0) } },
        HostileCase("negative timestamp", 400, "timestamp is not a number") { w in try post(w) { setting("timestamp", "-1", in: $0) } },
        HostileCase("13-digit timestamp", 400, "timestamp is not a number") { w in
            try post(w) { setting("timestamp", "1700000000000", in: $0) }
        },
        HostileCase("timestamp with an encoded space", 400, "timestamp is not a number") { w in
            try post(w) { setting("timestamp", "1700000000%20", in: $0) }
        },
        HostileCase("1 KB nonce", 400, "nonce longer than 128 bytes") { w in
            try post(w) { setting("nonce", String(repeating: "n", count: 1024), in: $0) }
        },
        HostileCase("10 KB nonce, straight to the responder", 400, "nonce longer than 128 bytes") { w in
            try post(w, direct: true) { setting("nonce", String(repeating: "n", count: 10_240), in: $0) }
        },
        HostileCase("10 KB nonce through nginx (request line too long)", 414, "") { w in
            try post(w) { setting("nonce", String(repeating: "n", count: 10_240), in: $0) }
        },
        HostileCase("20 KB of junk parameters, straight to the responder", 403, "missing msg_signature") { w in
            try post(w, direct: true) { t in
                setting("msg_signature", nil, in: t) + String(repeating: "&junk=xxxxxxxxxx", count: 1280)
            }
        },
        HostileCase("msg_signature given twice", 400, "msg_signature given twice") { w in
            try post(w) { $0 + "&msg_signature=" + value("msg_signature", in: $0) }
        },
        HostileCase("timestamp given twice", 400, "timestamp given twice") { w in try post(w) { $0 + "&timestamp=1" } },
        HostileCase("malformed percent escape in nonce", 400, "not valid percent-encoding") { w in
            try post(w) { setting("nonce", "12%zz", in: $0) }
        },
        HostileCase("truncated percent escape at the end", 400, "not valid percent-encoding") { w in
            try post(w) { setting("nonce", "12%4", in: $0) }
        },
        HostileCase("percent-encoding that is not UTF-8", 400, "not valid percent-encoding") { w in
            try post(w) { setting("nonce", "%ff%fe", in: $0) }
        },
        HostileCase("DELETE", 405, "method DELETE not allowed") { w in try post(w, method: "DELETE") },
        HostileCase("PATCH", 405, "method PATCH not allowed") { w in try post(w, method: "PATCH") },
        HostileCase("HEAD", 405, "method HEAD not allowed") { w in try post(w, method: "HEAD") },
        HostileCase("OPTIONS", 405, "method OPTIONS not allowed") { w in try post(w, method: "OPTIONS") },
        HostileCase("TRACE (nginx refuses it)", 405, "") { w in try post(w, method: "TRACE") },
        HostileCase("raw ../ in the botid (nginx normalises it away)", 404, "") { w in
            try post(w) { $0.replacingOccurrences(of: "/aibTEST?", with: "/../../etc/passwd?") }
        },
        HostileCase("encoded slash in the botid through nginx", 404, "") { w in
            try post(w) { $0.replacingOccurrences(of: "/aibTEST?", with: "/aib%2FTEST?") }
        },
        HostileCase("../ in PATH_INFO, straight to the responder", 404, "no route") { w in
            try post(w, direct: true) { $0.replacingOccurrences(of: "/aibTEST?", with: "/../../etc/passwd?") }
        },
        HostileCase("encoded ../ in PATH_INFO", 404, "no route") { w in
            try post(w, direct: true) { $0.replacingOccurrences(of: "/aibTEST?", with: "/..%2F..%2Fetc?") }
        },
        HostileCase("dot in the botid", 404, "no route") { w in
            try post(w, direct: true) { $0.replacingOccurrences(of: "/aibTEST?", with: "/aib.TEST?") }
        },
        HostileCase("unicode botid", 404, "no route") { w in
            try post(w, direct: true) { $0.replacingOccurrences(of: "/aibTEST?", with: "/机器人?") }
        },
        HostileCase("percent-encoded unicode botid through nginx", 404, "") { w in
            try post(w) { $0.replacingOccurrences(of: "/aibTEST?", with: "/%E6%9C%BA%E5%99%A8%E4%BA%BA?") }
        },
        HostileCase("encoded NUL in the botid (nginx refuses it)", 400, "") { w in
            try post(w) { $0.replacingOccurrences(of: "/aibTEST?", with: "/aib%00TEST?") }
        },
        HostileCase("trailing slash after the botid", 404, "no route") { w in
            try post(w, direct: true) { $0.replacingOccurrences(of: "/aibTEST?", with: "/aibTEST/?") }
        },
        HostileCase("empty botid", 404, "no route") { w in
            try post(w, direct: true) { $0.replacingOccurrences(of: "/aibTEST?", with: "/?") }
        },
        HostileCase("empty body", 400, "-40002") { w in try body(w, "") },
        HostileCase("body null", 400, "body is not a JSON object") { w in try body(w, "null") },
        HostileCase("encrypt is a number", 400, "is not a string") { w in try body(w, #"{"encrypt":123}"#) },
        HostileCase("encrypt is null", 400, "is not a string") { w in try body(w, #"{"encrypt":null}"#) },
        HostileCase("body is a JSON array", 400, "body is not a JSON object") { w in try body(w, #"[{"encrypt":"abc"}]"#) },
        HostileCase("truncated JSON body", 400, "body is not valid JSON") { w in try body(w, #"{"encrypt":"abc"#) },
        HostileCase("10,000 nested arrays as the body", 400, "body is not valid JSON") { w in
            try body(w, String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        },
        HostileCase("body that is not UTF-8", 400, "-40002") { w in
            var r = try body(w, "")
            r.body = [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]
            return r
        },
        HostileCase("XML after a BOM and blank lines", 400, "XML") { w in
            try body(w, "\u{FEFF}\r\n <xml><Encrypt><![CDATA[abc]]></Encrypt></xml>")
        },
    ]
}
