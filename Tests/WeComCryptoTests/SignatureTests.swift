import Testing
@testable import WeComCrypto

/// SHA-1 over the byte-sorted, concatenated token, timestamp, nonce and encrypt.
@Suite struct SignatureTests {
    @Test func inputsAreSortedByteWiseThenConcatenated() {
        let signed = WeComCrypto.signedBytes(token: "b", timestamp: "10", nonce: "a", encrypt: "B+/=")
        #expect(signed == bytes("10B+/=ab"))
        #expect(WeComCrypto.signature(token: "b", timestamp: "10", nonce: "a", encrypt: "B+/=")
            == Digest.sha1Hex(bytes("10B+/=ab")))
    }

    @Test func sortIsByUTF8BytesNotSwiftStringOrder() {
        // Swift compares canonically equivalent strings as equal ("e\u{301}" == "é") and would put
        // "e\u{301}x" after "é"; byte order puts 0x65 before 0xC3.
        let decomposed = "e\u{301}x"
        let precomposed = "\u{E9}"
        #expect(precomposed < decomposed)
        let signed = WeComCrypto.signedBytes(token: precomposed, timestamp: decomposed, nonce: "1", encrypt: "~")
        #expect(signed == bytes("1") + bytes(decomposed) + bytes("~") + bytes(precomposed))
    }

    @Test func verifyAcceptsTheComputedSignature() throws {
        let crypto = try vectorCrypto()
        let signature = WeComCrypto.signature(token: TestVectors.token, timestamp: "1", nonce: "2", encrypt: "3")
        #expect(signature.count == 40)
        #expect(signature == signature.lowercased())
        try crypto.verifySignature(signature, timestamp: "1", nonce: "2", encrypt: "3")
    }
}
