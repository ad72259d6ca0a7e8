import Testing

@Test func SQLiteStoreBuilds() { #expect(1 + 1 == 2) }
