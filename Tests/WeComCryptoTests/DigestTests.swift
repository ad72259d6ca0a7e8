import Testing
import WeComCrypto

/// EVP digests and RAND_bytes.
@Suite struct DigestTests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ])
    func sha1MatchesFIPS180Vectors(input: String, expected: String) {
        #expect(Digest.sha1Hex(bytes(input)) == expected)
    }

    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
    ])
    func md5MatchesRFC1321Vectors(input: String, expected: String) {
        #expect(Digest.md5Hex(bytes(input)) == expected)
    }

    @Test func randomBytesHaveTheRequestedCountAndVary() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(33).count == 33)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
    }

    @Test func alphanumericUsesOnlyTheAlphabetAndAllOfIt() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let text = SecureRandom.alphanumeric(5000)
        #expect(text.count == 5000)
        #expect(Set(text).isSubset(of: alphabet))
        #expect(Set(text) == alphabet)  // 5000 draws miss a character with probability ~ 62·e^-80
        #expect(SecureRandom.alphanumeric(0).isEmpty)
    }
}
