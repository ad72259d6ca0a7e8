import Foundation
import StrictBase64
import Testing

@Suite struct EncodingAESKeyFormatTests {
    static let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    @Test func theKeyIsTheBase64OfItsTextWithTheMissingPadding() throws {
        #expect(try EncodingAESKeyFormat.keyBytes(Self.key) == Array(0..<32))
    }

    /// The last character holds 4 key bits and 2 unused ones; set unused bits are ignored, as
    /// the official samples ignore them.
    @Test func everyLetterOrDigitIsAcceptedLast() throws {
        for last in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" {
            let text = String(Self.key.dropLast()) + String(last)
            let expected = try #require(Data(base64Encoded: text + "="))
            #expect(try EncodingAESKeyFormat.keyBytes(text) == Array(expected), "\(last)")
        }
    }

    static let refused: [(String, EncodingAESKeyFormat.Refusal)] = {
        let key = EncodingAESKeyFormatTests.key
        let head = String(key.dropLast()), body = String(key.dropFirst())
        return [
            (head, .length(42)), (key + "A", .length(44)), ("", .length(0)), (head + "é", .length(44)),
            ("!" + body, .notBase64), (String(key.dropLast(2)) + "-_", .notBase64), (String(key.dropLast(2)) + "==", .notBase64),
            (head + "=", .decodedLength(31)),
            (head + "+", .notLettersAndDigits), ("/" + body, .notLettersAndDigits),
        ]
    }()

    @Test(arguments: refused)
    func refusals(text: String, refusal: EncodingAESKeyFormat.Refusal) {
        #expect(throws: refusal) { try EncodingAESKeyFormat.keyBytes(text) }
        #expect(!refusal.description.contains(text) || text.isEmpty)
    }
}
