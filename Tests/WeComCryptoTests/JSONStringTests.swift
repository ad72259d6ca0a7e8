import Testing
@testable import WeComCrypto

/// JSON string literals for the reply envelope.
@Suite struct JSONStringTests {
    @Test(arguments: [
        ("987654321", #""987654321""#),
        ("a/b+c=", #""a/b+c=""#),
        (#"say "hi" \ bye"#, #""say \"hi\" \\ bye""#),
        ("l1\nl2\r\t\u{8}\u{C}", #""l1\nl2\r\t\b\f""#),
        ("\u{0}\u{1F}\u{7F}", #""\u0000\u001f"# + "\u{7F}\""),
        ("你好 ✓", "\"你好 ✓\""),
    ])
    func quotesAndEscapes(input: String, expected: String) {
        #expect(JSONString.quoted(input) == bytes(expected))
    }

    @Test func escapedNonceSurvivesTheEnvelope() throws {
        let crypto = try vectorCrypto()
        let envelope = try crypto.encryptReply(
            bytes("{}"), timestamp: "1", nonce: "a\"b\n", random: bytes("0123456789abcdef"))
        let text = String(decoding: envelope, as: UTF8.self)
        #expect(text.hasSuffix(#","timestamp":"1","nonce":"a\"b\n"}"#))
    }
}
