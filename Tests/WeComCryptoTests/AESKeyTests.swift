import Foundation
import Testing
import WeComCrypto

/// EncodingAESKey validation and generation.
@Suite struct AESKeyTests {
    static let key = TestVectors.encodingAESKey
    static let illegalKeys: [(String, String)] = [
        (String(key.dropLast()), "EncodingAESKey must be 43 characters, got 42"),
        (key + "A", "EncodingAESKey must be 43 characters, got 44"),
        ("", "EncodingAESKey must be 43 characters, got 0"),
        ("!" + String(key.dropFirst()), "EncodingAESKey is not valid base64"),
        (String(key.dropLast(2)) + "-_", "EncodingAESKey is not valid base64"),
        (String(key.dropLast(2)) + "==", "EncodingAESKey is not valid base64"),
        (String(key.dropLast()) + "=", "EncodingAESKey decodes to 31 bytes, not 32"),
        (String(key.dropLast()) + "+", "EncodingAESKey must be letters and digits"),
    ]

    @Test(arguments: illegalKeys)
    func illegalKeyIsRejected(encodingAESKey: String, reason: String) {
        expectCryptoError(.illegalAESKey(reason), code: -40004) { try AESKey(encodingAESKey: encodingAESKey) }
        expectCryptoError(.illegalAESKey(reason), code: -40004) {
            try WeComCrypto(token: TestVectors.token, encodingAESKey: encodingAESKey)
        }
    }

    @Test func generatedKeysAreValidAndAlphanumeric() throws {
        var seen: Set<String> = []
        for _ in 0..<200 {
            let encodingAESKey = EncodingAESKeyGenerator.make()
            #expect(encodingAESKey.utf8.count == 43)
            #expect(encodingAESKey.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            let key = try AESKey(encodingAESKey: encodingAESKey)
            #expect(key.key.count == 32)
            #expect(key.iv == Array(key.key.prefix(16)))
            // Canonical: re-encoding the key gives the same text back.
            #expect(Data(key.key).base64EncodedString() == encodingAESKey + "=")
            seen.insert(encodingAESKey)
        }
        #expect(seen.count == 200)
    }

    @Test func keyAndCryptoDescriptionsAreRedacted() throws {
        let key = try AESKey(encodingAESKey: TestVectors.encodingAESKey)
        let crypto = try vectorCrypto()
        for text in [String(describing: key), String(reflecting: key), String(describing: crypto),
                     String(reflecting: crypto), dumped(key), dumped(crypto)] {
            #expect(!text.contains(TestVectors.token))
            #expect(!text.contains(TestVectors.encodingAESKey))
            #expect(!text.contains("[0, 1, 2"))
        }
    }

    private func dumped(_ value: Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
