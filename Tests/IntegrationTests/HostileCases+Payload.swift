import Foundation
import WeComCrypto

/// Hostile decrypted payloads (valid signature and crypto) and hostile sizes.
extension HostileInputTests {
    static func nested(_ depth: Int) -> String {
        #"{"msgid":"deep","aibotid":"aibTEST","from":{"userid":"u"},"msgtype":"text","text":{"content":"x"},"x":"#
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
    }

    static let hugeContent = WeComSimulator.text(msgID: "huge-1", content: String(repeating: "长", count: 20_480))

    static let payloadCases: [HostileCase] = [
        HostileCase("decrypted JSON is a string", 400, "expected object, got string") { w in try plaintext(w, #""hello""#) },
        HostileCase("decrypted JSON is null", 400, "expected object, got null") { w in try plaintext(w, "null") },
        HostileCase("decrypted text is not JSON", 400, "invalid JSON") { w in try plaintext(w, "hello, bot") },
        HostileCase("message without msgid", 400, "msgid: missing") { w in
            try plaintext(w, #"{"aibotid":"aibTEST","msgtype":"text","text":{"content":"x"}}"#)
        },
        HostileCase("empty msgid", 400, "message without msgid") { w in
            try plaintext(w, #"{"msgid":"","aibotid":"aibTEST","from":{"userid":"u"},"msgtype":"text","text":{"content":"x"}}"#)
        },
        HostileCase("msgid is a number", 400, "msgid: expected string") { w in
            try plaintext(w, #"{"msgid":42,"msgtype":"text","text":{"content":"x"}}"#)
        },
        HostileCase("text.content is a number", 400, "text.content: expected string") { w in
            try plaintext(w, #"{"msgid":"n1","msgtype":"text","text":{"content":7}}"#)
        },
        HostileCase("from is a string", 400, "from: expected object") { w in
            try plaintext(w, #"{"msgid":"n2","from":"u","msgtype":"text","text":{"content":"x"}}"#)
        },
        HostileCase("10,000 nested arrays in the decrypted JSON", 400, "nested deeper than") { w in
            try plaintext(w, nested(10_000))
        },
        HostileCase("500 nested arrays in the decrypted JSON", 400, "nested deeper than") { w in
            try plaintext(w, nested(500))
        },
        HostileCase("60 KB content through nginx", 413, "") { w in try plaintext(w, hugeContent) },
        HostileCase("60 KB content straight to the responder (its own limit)", 413, "exceeds the limit of 65536") { w in
            var r = try plaintext(w, hugeContent)
            r.direct = true
            return r
        },
        HostileCase("CONTENT_LENGTH longer than the body", 400, "body ended after") { w in
            var r = try post(w, direct: true)
            r.contentLength = String(r.body.count + 100)
            return r
        },
        HostileCase("CONTENT_LENGTH not a number", 400, "CONTENT_LENGTH is not a number") { w in
            var r = try post(w, direct: true)
            r.contentLength = "12abc"
            return r
        },
    ]
}
