import Foundation
import StrictBase64
import Testing

private func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

/// Strictly shaped standard base64.
@Suite struct Base64Tests {
    @Test(arguments: [
        ("", [UInt8]()),
        ("YQ==", bytes("a")),
        ("YWI=", bytes("ab")),
        ("YWJj", bytes("abc")),
        ("+/+/", [0xFB, 0xFF, 0xBF]),
        ("YR==", bytes("a")),  // unused low bits are ignored, as the official samples do
    ])
    func decodesWellFormedText(text: String, expected: [UInt8]) {
        #expect(Base64.decode(text) == expected)
    }

    @Test(arguments: ["Y", "YQ", "YQ=", "YQ===", "YQ==YQ==", "Y===", "====", "-_-_", "YW J", "YWJj\n", "YW=j"])
    func rejectsMalformedText(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func encodesWithPadding() {
        #expect(Base64.encode(bytes("ab")) == "YWI=")
        #expect(Base64.encode(bytes("a")) == "YQ==")
        #expect(Base64.encode(bytes("abc")) == "YWJj")
        #expect(Base64.encode([]) == "")
    }

    /// Every length and byte value round-trips, and matches Foundation's encoder and decoder
    /// (an independent implementation).
    @Test func agreesWithFoundation() {
        for length in 0..<300 {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length) }
            let text = Base64.encode(data)
            #expect(text == Data(data).base64EncodedString())
            #expect(Base64.encodedBytes(data) == Array(text.utf8))
            #expect(Base64.decode(text) == data)
            #expect(Base64.decode(Data(data).base64EncodedString()) == data)
        }
    }

    @Test func everyNonAlphabetByteIsRejected() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for byte in UInt8.min...UInt8.max where !alphabet.contains(byte) {
            let text = String(decoding: [UInt8(ascii: "Y"), byte, UInt8(ascii: "J"), UInt8(ascii: "j")], as: UTF8.self)
            #expect(Base64.decode(text) == nil, "byte \(byte)")
        }
    }
}
