import Testing

@Test func IntegrationBuilds() { #expect(1 + 1 == 2) }
