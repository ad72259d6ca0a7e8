import Foundation
import Testing
import WeComCrypto

/// Rejected ciphertexts: base64, lengths, PKCS#7/32 padding, framing and receiveid.
@Suite struct DecryptErrorTests {
    let crypto: WeComCrypto

    init() throws { crypto = try vectorCrypto() }

    /// Encrypts hand-made padded plaintext (a multiple of 16 bytes) with the `openssl` binary.
    static func craftedCiphertext(_ padded: [UInt8]) throws -> String {
        let ciphertext = try OpenSSLCLI.aes256CBC(
            decrypt: false, padded, keyHex: TestVectors.keyHex, ivHex: TestVectors.ivHex)
        return Data(ciphertext).base64EncodedString()
    }

    /// A valid frame of `message`: 16-byte random, big-endian length, message, no receiveid.
    static func frame(_ message: [UInt8], length: UInt32? = nil) -> [UInt8] {
        let n = length ?? UInt32(message.count)
        let length = [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
        return bytes("0123456789abcdef") + length + message
    }

    @Test(arguments: ["not base64!!", "abc", "eKM+xtlf====", "eKM-xtlf", " eKM+xtlf"])
    func badBase64IsRejected(text: String) {
        expectCryptoError(.decodeBase64, code: -40010) { try crypto.decrypt(text) }
    }

    @Test func ciphertextTruncatedTo48BytesIsRejected() {
        let truncated = Data(bytesOfBase64(TestVectors.V2.encrypt).prefix(48)).base64EncodedString()
        // Byte 47 of V2's plaintext is the "s" (115) of "testmsgid".
        expectCryptoError(.decryptAES("bad padding byte 115"), code: -40007) { try crypto.decrypt(truncated) }
    }

    @Test(arguments: [0, 1, 15, 47, 63])
    func ciphertextLengthNotAMultipleOf16IsRejected(length: Int) {
        let text = Data(bytesOfBase64(TestVectors.V2.encrypt).prefix(length)).base64EncodedString()
        let expected = WeComCryptoError.decryptAES("ciphertext length \(length) is not a positive multiple of 16")
        expectCryptoError(expected, code: -40007) { try crypto.decrypt(text) }
        expectCryptoError(expected, code: -40007) { try crypto.decryptMedia(bytesOfBase64(text)) }
    }

    @Test(arguments: [
        (UInt8(0), "bad padding byte 0"),
        (33, "bad padding byte 33"),
        (255, "bad padding byte 255"),
    ])
    func padByteOutOfRangeIsRejected(pad: UInt8, reason: String) throws {
        let text = try Self.craftedCiphertext(Self.frame(bytes("hello")) + [UInt8](repeating: pad, count: 7))
        expectCryptoError(.decryptAES(reason), code: -40007) { try crypto.decrypt(text) }
    }

    @Test func inconsistentPadBytesAreRejected() throws {
        // Ends in 5, but only the last four bytes are 5.
        let text = try Self.craftedCiphertext(Self.frame(bytes("hello")) + [9, 9, 9, 5, 5, 5, 5])
        expectCryptoError(.decryptAES("inconsistent padding bytes for pad length 5"), code: -40007) {
            try crypto.decrypt(text)
        }
    }

    @Test func padLongerThanThePlaintextIsRejected() throws {
        let media = try OpenSSLCLI.aes256CBC(
            decrypt: false, [UInt8](repeating: 32, count: 16), keyHex: TestVectors.keyHex, ivHex: TestVectors.ivHex)
        expectCryptoError(.decryptAES("padding length 32 exceeds the 16-byte plaintext"), code: -40007) {
            try crypto.decryptMedia(media)
        }
    }

    @Test func msgLenPastTheEndIsRejected() throws {
        let text = Data(try crypto.encryptMedia(Self.frame(bytes("0123456789"), length: 11))).base64EncodedString()
        expectCryptoError(.illegalBuffer("msg_len 11 runs past the end of a 30-byte plaintext"), code: -40008) {
            try crypto.decrypt(text)
        }
        let huge = Data(try crypto.encryptMedia(Self.frame([], length: .max))).base64EncodedString()
        expectCryptoError(.illegalBuffer("msg_len 4294967295 runs past the end of a 20-byte plaintext"), code: -40008) {
            try crypto.decrypt(huge)
        }
    }

    @Test(arguments: [0, 12, 19])
    func plaintextShorterThan20IsRejected(length: Int) throws {
        let text = Data(try crypto.encryptMedia([UInt8](repeating: 0x41, count: length))).base64EncodedString()
        let reason = "plaintext is \(length) bytes, shorter than the 20-byte header"
        expectCryptoError(.illegalBuffer(reason), code: -40008) { try crypto.decrypt(text) }
    }

    @Test func wrongReceiveIDIsRejectedWhenOneIsConfigured() throws {
        let sender = try vectorCrypto(receiveID: "wwCorpA")
        let text = try sender.encrypt(bytes("{}"))
        expectCryptoError(.validateReceiveID, code: -40005) { try vectorCrypto(receiveID: "wwCorpB").decrypt(text) }
        expectCryptoError(.validateReceiveID, code: -40005) { try vectorCrypto(receiveID: "wwCorp").decrypt(text) }
        #expect(try sender.decrypt(text) == bytes("{}"))
        #expect(try vectorCrypto(receiveID: "").decrypt(text) == bytes("{}"))
    }

    @Test func emptyTrailerIsRejectedWhenAReceiveIDIsConfigured() throws {
        let strict = try vectorCrypto(receiveID: "wwCorp")
        expectCryptoError(.validateReceiveID, code: -40005) {
            try strict.verifyURL(
                msgSignature: TestVectors.V1.msgSignature, timestamp: TestVectors.V1.timestamp,
                nonce: TestVectors.V1.nonce, echostr: TestVectors.V1.echostr)
        }
    }

    @Test func badInjectedRandomIsRejected() {
        expectCryptoError(.encryptAES("random prefix must be 16 bytes, got 15"), code: -40006) {
            try crypto.encrypt(bytes("{}"), random: bytes("0123456789abcde"))
        }
    }
}
