import Testing

@Test func workerCoreBuilds() { #expect(1 + 1 == 2) }
