import Testing

@Test func CallbackHandlerBuilds() { #expect(1 + 1 == 2) }
