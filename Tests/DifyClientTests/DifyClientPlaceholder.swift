import Testing

@Test func difyClientBuilds() { #expect(1 + 1 == 2) }
