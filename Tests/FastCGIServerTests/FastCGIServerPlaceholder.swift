import Testing

@Test func FastCGIServerBuilds() { #expect(1 + 1 == 2) }
