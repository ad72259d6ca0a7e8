import Testing
@testable import WeComCrypto

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
    }
}
