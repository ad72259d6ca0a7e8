import Foundation
import Testing
import WeComCrypto

/// Every refused callback gets its precise status, a one-line reason in the log, and
/// leaves the database byte-for-byte as it was.
@Suite(.serialized) final class RejectionTests {
    let token = "tok" + SecureRandom.alphanumeric(12)
    let key = EncodingAESKeyGenerator.make()
    let stack: ResponderStack
    let wecom: WeComSimulator

    init() throws {
        stack = try ResponderStack(instances: 1, processes: 2,
                                   environment: ["WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key])
        wecom = try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key)
        // Some real state first, so "unchanged" means something.
        _ = try wecom.postAndOpen(WeComSimulator.text(msgID: "seed-1", content: "seed"))
    }

    deinit { stack.stop() }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var status: Int
        var reason: String
        var build: @Sendable (WeComSimulator) throws -> (method: String, target: String, body: [UInt8])
        var testDescription: String { name }
    }

    static let message = WeComSimulator.text(msgID: "never-stored", content: "hi")

    static let cases: [Case] = [
        Case(name: "wrong signature", status: 403, reason: "-40001") { w in
            let (t, b) = try w.signedPost(message)
            return ("POST", t.replacingOccurrences(of: "msg_signature=", with: "msg_signature=0"), b)
        },
        Case(name: "missing signature", status: 403, reason: "missing msg_signature") { w in
            let (t, b) = try w.signedPost(message)
            return ("POST", t.replacingOccurrences(of: "msg_signature=", with: "other="), b)
        },
        Case(name: "non-numeric timestamp", status: 400, reason: "timestamp is not a number") { w in
            let (t, b) = try w.signedPost(message)
            return ("POST", t.replacingOccurrences(of: "timestamp=", with: "timestamp=x"), b)
        },
        Case(name: "missing nonce", status: 400, reason: "missing nonce") { w in
            let (t, b) = try w.signedPost(message)
            return ("POST", t.replacingOccurrences(of: "nonce=", with: "n="), b)
        },
        Case(name: "body not JSON", status: 400, reason: "-40002") { w in
            let (t, _) = try w.signedPost(message)
            return ("POST", t, Array("encrypt=abc".utf8))
        },
        Case(name: "missing encrypt", status: 400, reason: "-40002") { w in
            let (t, _) = try w.signedPost(message)
            return ("POST", t, Array(#"{"tousername":"x"}"#.utf8))
        },
        Case(name: "XML body", status: 400, reason: "-40002") { w in
            let (t, _) = try w.signedPost(message)
            return ("POST", t, Array("<xml><ToUserName>corp</ToUserName><Encrypt>abc</Encrypt></xml>".utf8))
        },
        Case(name: "bad base64 with a valid signature", status: 400, reason: "-40010") { w in
            let bad = "%%%notbase64%%%"
            let sig = WeComCrypto.signature(token: w.token, timestamp: "1700000000", nonce: "1", encrypt: bad)
            return ("POST", "/wecom/callback/aibTEST?msg_signature=\(sig)&timestamp=1700000000&nonce=1",
                    Array(#"{"encrypt":"\#(bad)"}"#.utf8))
        },
        Case(name: "ciphertext not a block multiple", status: 400, reason: "-40007") { w in
            let bad = Data((0..<40).map { UInt8($0) }).base64EncodedString()
            let sig = WeComCrypto.signature(token: w.token, timestamp: "1700000000", nonce: "1", encrypt: bad)
            return ("POST", "/wecom/callback/aibTEST?msg_signature=\(sig)&timestamp=1700000000&nonce=1",
                    Array(#"{"encrypt":"\#(bad)"}"#.utf8))
        },
        Case(name: "decrypted payload not a message", status: 400, reason: "malformed") { w in
            let (t, b) = try w.signedPost("[1,2,3]")
            return ("POST", t, b)
        },
        Case(name: "wrong method", status: 405, reason: "method PUT not allowed") { w in
            let (t, b) = try w.signedPost(message)
            return ("PUT", t, b)
        },
        Case(name: "unknown route", status: 404, reason: "no route") { _ in
            ("GET", "/raw/wecom/other/aibTEST?msg_signature=a&timestamp=1&nonce=1", [])
        },
        Case(name: "botid too long", status: 404, reason: "no route") { _ in
            ("GET", "/raw/wecom/callback/" + String(repeating: "a", count: 65) + "?msg_signature=a", [])
        },
        Case(name: "path traversal in botid", status: 404, reason: "no route") { _ in
            ("GET", "/raw/wecom/callback/..%2F..%2Fetc?msg_signature=a", [])
        },
        Case(name: "oversized body (nginx limit)", status: 413, reason: "") { w in
            let (t, _) = try w.signedPost(message)
            return ("POST", t, Array(repeating: UInt8(ascii: "a"), count: 70_000))
        },
        Case(name: "verification with a wrong signature", status: 403, reason: "-40001") { w in
            ("GET", "/wecom/callback/aibTEST?msg_signature=aef1e23ed27b3270a3ed434a54d7ad1ec11c8901&timestamp=1700000000&nonce=1234567890&echostr=abc", [])
        },
    ]

    @Test(arguments: cases) func rejectedAndNothingWritten(_ c: Case) throws {
        let before = try stack.dump()
        let request = try c.build(wecom)
        let response = try HTTPClient.request(port: stack.port, method: request.method, target: request.target, body: request.body)
        #expect(response.status == c.status, "\(c.name): \(response.text)")
        #expect(try stack.dump() == before, "\(c.name) changed the database")
        if !c.reason.isEmpty {
            let line = try #require(stack.logs.split(separator: "\n").last { $0.contains("status=\(c.status)") || $0.contains("\(c.status)") })
            #expect(line.contains(c.reason), "\(c.name): log line was \(line)")
        }
    }
}

/// Without default credentials, a botid that is not in the bots table is unknown.
@Suite struct UnknownBotTests {
    @Test func unknownBotIs404AndWritesNothing() throws {
        let stack = try ResponderStack(instances: 1, processes: 1)
        defer { stack.stop() }
        let before = try stack.dump()
        let wecom = try WeComSimulator(port: stack.port, botID: "nobody", token: "t", key: EncodingAESKeyGenerator.make())
        let response = try wecom.post(WeComSimulator.text(msgID: "x", content: "hi"))
        #expect(response.status == 404)
        #expect(try stack.dump() == before)
        #expect(stack.logs.contains("unknown bot nobody"))
    }
}
