import Testing

@Test func BotConfigBuilds() { #expect(1 + 1 == 2) }
