import Testing

@Test func WeComCryptoBuilds() { #expect(1 + 1 == 2) }
