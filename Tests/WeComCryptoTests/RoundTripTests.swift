import Testing
import WeComCrypto

/// encrypt → decrypt round trips over every pad value.
@Suite struct RoundTripTests {
    static let crypto = Result { try WeComCrypto(token: "token", encodingAESKey: EncodingAESKeyGenerator.make()) }

    /// A message of `length` bytes with some non-ASCII and every byte value mixed in.
    static func message(_ length: Int) -> [UInt8] { (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } }

    /// Lengths 0…70 put the 20-byte framed plaintext at 20…90 bytes: every residue mod 32, so
    /// every pad value 1…32.
    @Test(arguments: 0...70)
    func messageRoundTrips(length: Int) throws {
        let crypto = try Self.crypto.get()
        let message = Self.message(length)
        let text = try crypto.encrypt(message)
        #expect(bytesOfBase64(text).count == (20 + length + 32) / 32 * 32)
        #expect(try crypto.decrypt(text) == message)
    }

    @Test(arguments: 0...70)
    func mediaRoundTrips(length: Int) throws {
        let crypto = try Self.crypto.get()
        let data = Self.message(length)
        let ciphertext = try crypto.encryptMedia(data)
        #expect(ciphertext.count == (length / 32 + 1) * 32)
        #expect(try crypto.decryptMedia(ciphertext) == data)
    }

    @Test func allPadValuesAreCovered() {
        let pads = Set((0...70).map { 32 - (20 + $0) % 32 })
        #expect(pads == Set(1...32))
    }

    @Test(arguments: ["", "wwCorpID", "企业"])
    func receiveIDRoundTrips(receiveID: String) throws {
        let crypto = try WeComCrypto(token: "t", encodingAESKey: EncodingAESKeyGenerator.make(), receiveID: receiveID)
        #expect(try crypto.decrypt(try crypto.encrypt(bytes("{\"a\":1}"))) == bytes("{\"a\":1}"))
    }

    @Test func replyRoundTripsThroughDecryptCallback() throws {
        let crypto = try Self.crypto.get()
        let plaintext = bytes(#"{"msgtype":"stream","stream":{"id":"x","finish":false,"content":"片段"}}"#)
        let envelope = try crypto.encryptReply(plaintext, timestamp: "1700000000", nonce: "42")
        let json = String(decoding: envelope, as: UTF8.self)
        let signature = try #require(json.split(separator: "\"").dropFirst(7).first)
        let message = try crypto.decryptCallback(
            msgSignature: String(signature), timestamp: "1700000000", nonce: "42", body: envelope)
        #expect(message == plaintext)
    }

    @Test func defaultRandomPrefixIsFreshAlphanumeric() throws {
        let crypto = try Self.crypto.get()
        let first = try crypto.encrypt(bytes("same"))
        let second = try crypto.encrypt(bytes("same"))
        #expect(first != second)
    }
}
