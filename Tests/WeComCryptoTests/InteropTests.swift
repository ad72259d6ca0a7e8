import Foundation
import Testing
import WeComCrypto

/// Our output checked by a second code path: the system `openssl` binary plus hand-written
/// unpadding, unframing and signature checks in this file, never the module's own decrypt.
@Suite struct InteropTests {
    /// Key and IV hex derived here from the EncodingAESKey, independently of `AESKey`.
    static func keyAndIVHex(_ encodingAESKey: String) throws -> (key: String, iv: String) {
        let key = try #require(Data(base64Encoded: encodingAESKey + "="))
        try #require(key.count == 32)
        return (hexString([UInt8](key)), hexString([UInt8](key.prefix(16))))
    }

    @Test func replyDecryptsWithTheOpenSSLBinary() throws {
        let encodingAESKey = EncodingAESKeyGenerator.make()
        let token = SecureRandom.alphanumeric(24)
        let crypto = try WeComCrypto(token: token, encodingAESKey: encodingAESKey)
        let plaintext = bytes(#"{"msgtype":"stream","stream":{"id":"s-1","finish":true,"content":"你好 \"ok\""}}"#)
        let (timestamp, nonce) = ("1712345678", #"n"o\nce"#)

        let envelopeBytes = try crypto.encryptReply(plaintext, timestamp: timestamp, nonce: nonce)
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(envelopeBytes)) as? [String: String])
        #expect(envelope.keys.sorted() == ["encrypt", "msgsignature", "nonce", "timestamp"])
        #expect(envelope["timestamp"] == timestamp)
        #expect(envelope["nonce"] == nonce)
        let encrypt = try #require(envelope["encrypt"])

        let hex = try Self.keyAndIVHex(encodingAESKey)
        let padded = try OpenSSLCLI.decryptBase64(encrypt, keyHex: hex.key, ivHex: hex.iv)
        #expect(padded.count % 32 == 0)
        let pad = Int(try #require(padded.last))
        #expect((1...32).contains(pad))
        #expect(padded.suffix(pad).allSatisfy { Int($0) == pad })
        let framed = Array(padded.dropLast(pad))
        let alphanumeric = Set(bytes("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
        #expect(framed.prefix(16).allSatisfy(alphanumeric.contains))
        let length = framed[16..<20].reduce(0) { $0 * 256 + Int($1) }
        #expect(length == plaintext.count)
        #expect(Array(framed[20..<(20 + length)]) == plaintext)
        #expect(framed.count == 20 + length)  // empty receiveid

        let signed = [token, timestamp, nonce, encrypt].map { bytes($0) }
            .sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 }
        #expect(try OpenSSLCLI.sha1Hex(signed) == envelope["msgsignature"])
    }

    @Test func openSSLEncryptedFrameDecryptsWithOurCode() throws {
        let encodingAESKey = EncodingAESKeyGenerator.make()
        let crypto = try WeComCrypto(token: "t", encodingAESKey: encodingAESKey, receiveID: "wwCorp")
        let message = bytes(#"{"msgtype":"text","text":{"content":"混合 mixed"}}"#)
        var framed = bytes("EDH75AiKExevY8L3") + [0, 0, 0, UInt8(message.count)] + message + bytes("wwCorp")
        let pad = 32 - framed.count % 32
        framed += [UInt8](repeating: UInt8(pad), count: pad)
        let hex = try Self.keyAndIVHex(encodingAESKey)
        let ciphertext = try OpenSSLCLI.aes256CBC(decrypt: false, framed, keyHex: hex.key, ivHex: hex.iv)
        #expect(try crypto.decrypt(Data(ciphertext).base64EncodedString()) == message)
    }

    @Test func vectorSignaturesMatchOpenSSLDigest() throws {
        let signed = [TestVectors.token, TestVectors.V2.timestamp, TestVectors.V2.nonce, TestVectors.V2.encrypt]
            .map { bytes($0) }.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 }
        #expect(try OpenSSLCLI.sha1Hex(signed) == TestVectors.V2.msgSignature)
        #expect(Digest.sha1Hex(signed) == TestVectors.V2.msgSignature)
    }
}
