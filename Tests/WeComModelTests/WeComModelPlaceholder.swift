import Testing

@Test func WeComModelBuilds() { #expect(1 + 1 == 2) }
