import Testing
@testable import WeComCrypto

/// The verified vectors V1–V5 of docs/wecom-protocol.md §10.2.
@Suite struct VectorTests {
    let crypto: WeComCrypto

    init() throws { crypto = try vectorCrypto() }

    @Test func keyDerivation() throws {
        let key = try AESKey(encodingAESKey: TestVectors.encodingAESKey)
        #expect(hexString(key.key) == TestVectors.keyHex)
        #expect(hexString(key.iv) == TestVectors.ivHex)
    }

    @Test func v1URLVerificationReturnsThePlaintext() throws {
        let body = try crypto.verifyURL(
            msgSignature: TestVectors.V1.msgSignature, timestamp: TestVectors.V1.timestamp,
            nonce: TestVectors.V1.nonce, echostr: TestVectors.V1.echostr)
        #expect(body == bytes("6982341587301529"))
    }

    @Test func v1SignatureIsReproduced() {
        let signature = WeComCrypto.signature(
            token: TestVectors.token, timestamp: TestVectors.V1.timestamp,
            nonce: TestVectors.V1.nonce, encrypt: TestVectors.V1.echostr)
        #expect(signature == TestVectors.V1.msgSignature)
    }

    @Test func v2CallbackDecryptsToThe299BytePlaintext() throws {
        let message = try crypto.decryptCallback(
            msgSignature: TestVectors.V2.msgSignature, timestamp: TestVectors.V2.timestamp,
            nonce: TestVectors.V2.nonce, body: bytes(TestVectors.V2.body))
        #expect(message.count == 299)
        #expect(message == bytes(TestVectors.V2.plaintext))
    }

    @Test func v3ReplyEnvelopeIsByteForByte() throws {
        let envelope = try crypto.encryptReply(
            bytes(TestVectors.V3.plaintext), timestamp: TestVectors.V2.timestamp,
            nonce: TestVectors.V2.nonce, random: bytes(TestVectors.V3.random))
        #expect(String(decoding: envelope, as: UTF8.self) == TestVectors.V3.envelope)
        #expect(envelope == bytes(TestVectors.V3.envelope))
    }

    @Test func v4MediaDecryptsWithPad25() throws {
        let ciphertext = hexBytes(TestVectors.V4.ciphertextHex)
        let raw = try CipherContext.aes256CBC(.decrypt, ciphertext, key: crypto.aesKey)
        #expect(raw.suffix(25) == ArraySlice(repeating: 25, count: 25))
        let plaintext = try crypto.decryptMedia(ciphertext)
        #expect(hexString(plaintext) == TestVectors.V4.plaintextHex)
        #expect(Digest.md5Hex(plaintext) == TestVectors.V4.md5)
        #expect(plaintext.count == 39)
        #expect(try crypto.encryptMedia(plaintext) == ciphertext)
    }

    @Test func v5FullPadBlockDecryptsTo44Xs() throws {
        let raw = try CipherContext.aes256CBC(.decrypt, bytesOfBase64(TestVectors.V5.encrypt), key: crypto.aesKey)
        #expect(raw.count == 96)
        #expect(raw.suffix(32) == ArraySlice(repeating: 32, count: 32))
        #expect(try crypto.decrypt(TestVectors.V5.encrypt) == bytes(TestVectors.V5.plaintext))
    }

    @Test(arguments: [
        (TestVectors.V1.plaintext, TestVectors.V1.random, TestVectors.V1.echostr),
        (TestVectors.V2.plaintext, TestVectors.V2.random, TestVectors.V2.encrypt),
        (TestVectors.V5.plaintext, TestVectors.V5.random, TestVectors.V5.encrypt),
    ])
    func encryptWithInjectedRandomMatchesTheVector(plaintext: String, random: String, expected: String) throws {
        #expect(try crypto.encrypt(bytes(plaintext), random: bytes(random)) == expected)
    }
}
