import Testing
import WeComCrypto

/// Rejected callbacks: signatures and bodies.
@Suite struct CallbackErrorTests {
    let crypto: WeComCrypto

    init() throws { crypto = try vectorCrypto() }

    /// `signature` with the character at `index` replaced by a different hex digit.
    static func flipped(_ signature: String, at index: Int) -> String {
        var chars = Array(signature)
        chars[index] = chars[index] == "0" ? "1" : "0"
        return String(chars)
    }

    @Test(arguments: [0, 17, 39])
    func flippedURLSignatureIsRejected(index: Int) {
        expectCryptoError(.validateSignature, code: -40001) {
            try crypto.verifyURL(
                msgSignature: Self.flipped(TestVectors.V1.msgSignature, at: index),
                timestamp: TestVectors.V1.timestamp, nonce: TestVectors.V1.nonce, echostr: TestVectors.V1.echostr)
        }
    }

    @Test func flippedCallbackSignatureIsRejected() {
        expectCryptoError(.validateSignature, code: -40001) {
            try crypto.decryptCallback(
                msgSignature: Self.flipped(TestVectors.V2.msgSignature, at: 5),
                timestamp: TestVectors.V2.timestamp, nonce: TestVectors.V2.nonce, body: bytes(TestVectors.V2.body))
        }
    }

    @Test(arguments: ["", "aef1e23e", TestVectors.V1.msgSignature.uppercased(), TestVectors.V1.msgSignature + "0"])
    func malformedSignatureIsRejected(signature: String) {
        expectCryptoError(.validateSignature, code: -40001) {
            try crypto.verifySignature(
                signature, timestamp: TestVectors.V1.timestamp, nonce: TestVectors.V1.nonce,
                encrypt: TestVectors.V1.echostr)
        }
    }

    @Test func otherTimestampIsRejected() {
        expectCryptoError(.validateSignature, code: -40001) {
            try crypto.verifySignature(
                TestVectors.V1.msgSignature, timestamp: "1700000001", nonce: TestVectors.V1.nonce,
                encrypt: TestVectors.V1.echostr)
        }
    }

    @Test(arguments: [
        (#"{"echostr":"abc"}"#, WeComCryptoError.parseJSON(#"body has no "encrypt" field"#)),
        (#"{"encrypt":123}"#, .parseJSON(#""encrypt" is not a string"#)),
        (#"{"encrypt":null}"#, .parseJSON(#""encrypt" is not a string"#)),
        (#"{"encrypt":["a"]}"#, .parseJSON(#""encrypt" is not a string"#)),
        ("encrypt=abc", .parseJSON("body is not valid JSON")),
        (#"{"encrypt":"abc""#, .parseJSON("body is not valid JSON")),
        ("", .parseJSON("body is not valid JSON")),
        (#"["encrypt"]"#, .parseJSON("body is not a JSON object")),
        (#""encrypt""#, .parseJSON("body is not a JSON object")),
        ("<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>", .xmlEnvelope),
        ("\u{FEFF}\r\n  <xml><Encrypt>abc</Encrypt></xml>", .xmlEnvelope),
    ])
    func badBodyIsRejected(body: String, expected: WeComCryptoError) {
        expectCryptoError(expected, code: -40002) {
            try crypto.decryptCallback(
                msgSignature: TestVectors.V2.msgSignature, timestamp: TestVectors.V2.timestamp,
                nonce: TestVectors.V2.nonce, body: bytes(body))
        }
    }

    @Test func xmlEnvelopeDescriptionSaysWhy() {
        let description = WeComCryptoError.xmlEnvelope.description
        #expect(description.hasPrefix("-40002 ParseJson_Error: body is XML"))
        #expect(description.contains("legacy XML callback mode"))
    }

    @Test func bodyWithExtraFieldsAndWhitespaceIsAccepted() throws {
        let body = " {\"ToUserName\":\"x\",\n \"encrypt\" : \"\(TestVectors.V2.encrypt)\"} "
        let message = try crypto.decryptCallback(
            msgSignature: TestVectors.V2.msgSignature, timestamp: TestVectors.V2.timestamp,
            nonce: TestVectors.V2.nonce, body: bytes(body))
        #expect(message == bytes(TestVectors.V2.plaintext))
    }
}
