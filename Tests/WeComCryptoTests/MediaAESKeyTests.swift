import Foundation
import Testing
import WeComCrypto

/// The per-URL `aeskey` of long-connection media: base64 of 32 bytes without its padding, the
/// same AES-256-CBC and PKCS#7/32 as callback media.
@Suite struct MediaAESKeyTests {
    /// 32 bytes whose base64 has a `+` and a `/`, which an EncodingAESKey may not.
    static let keyBytes: [UInt8] = [0xfb, 0xff, 0xbf] + (3..<32).map { UInt8($0 * 7) }
    static var unpadded: String { String(Data(keyBytes).base64EncodedString().dropLast()) }

    @Test func decodesAnUnpaddedKeyWithAnyBase64Characters() throws {
        #expect(Self.unpadded.utf8.count == 43)
        #expect(Self.unpadded.contains("+") && Self.unpadded.contains("/"))
        #expect(try AESKey(mediaAESKey: Self.unpadded).key == Self.keyBytes)
        #expect(try AESKey(mediaAESKey: Self.unpadded + "=").key == Self.keyBytes, "padded as well")
    }

    static let illegal: [(String, String)] = [
        ("", "media aeskey decodes to 0 bytes, not 32"),
        (String(unpadded.dropLast(4)), "media aeskey decodes to 29 bytes, not 32"),
        (unpadded + "AA", "media aeskey is not valid base64"),
        ("!" + String(unpadded.dropFirst()), "media aeskey is not valid base64"),
        (String(unpadded.dropLast(2)) + "-_", "media aeskey is not valid base64"),
    ]

    @Test(arguments: illegal)
    func anIllegalKeyIsRefusedWithoutShowingIt(text: String, reason: String) {
        expectCryptoError(.illegalAESKey(reason), code: -40004) { try AESKey(mediaAESKey: text) }
    }

    /// Encrypted by the system `openssl` binary (padded by hand here), decrypted by our code.
    @Test func mediaEncryptedByOpenSSLDecryptsWithTheKey() throws {
        let file = Array("%PDF-1.7 per-URL key 每个链接".utf8)
        let pad = 32 - file.count % 32
        let padded = file + [UInt8](repeating: UInt8(pad), count: pad)
        let ciphertext = try OpenSSLCLI.aes256CBC(decrypt: false, padded, keyHex: hexString(Self.keyBytes),
                                                  ivHex: hexString(Array(Self.keyBytes.prefix(16))))
        let key = try AESKey(mediaAESKey: Self.unpadded)
        #expect(try key.decryptMedia(ciphertext) == file)
        #expect(try key.encryptMedia(file) == ciphertext)
    }

    /// An EncodingAESKey read as a media key is the same key: one algorithm for both modes.
    @Test func theBotsKeyAndTheSameMediaKeyAgree() throws {
        let encodingAESKey = EncodingAESKeyGenerator.make()
        let crypto = try WeComCrypto(token: "t", encodingAESKey: encodingAESKey)
        let file = (0..<100).map { UInt8($0) }
        #expect(try AESKey(mediaAESKey: encodingAESKey).decryptMedia(try crypto.encryptMedia(file)) == file)
    }

    @Test func aWrongKeyFailsOnThePadding() throws {
        let right = try AESKey(mediaAESKey: Self.unpadded)
        let wrong = try AESKey(mediaAESKey: String(repeating: "A", count: 43))
        let ciphertext = try right.encryptMedia(Array(repeating: 0x41, count: 64))
        #expect(throws: WeComCryptoError.self) { try wrong.decryptMedia(ciphertext) }
    }
}
