import Testing
@testable import WeComModel

@Suite struct StreamContentTests {
    @Test func asciiExactlyAtTheLimitIsKept() {
        let s = String(repeating: "a", count: 20480)
        #expect(StreamContent.truncated(s) == s)
        #expect(StreamContent.truncated(s + "b") == s)
    }

    @Test(arguments: [
        ("字", 3, 6827),      // 20481 bytes: the last char straddles the limit
        ("🙂", 4, 5121),      // 20484 bytes
        ("é", 2, 10241),      // 20482 bytes
    ])
    func multiByteCharactersCrossingTheLimit(char: String, width: Int, count: Int) {
        let s = String(repeating: char, count: count)
        let head = StreamContent.truncated(s)
        #expect(head.utf8.count <= StreamContent.maxBytes)
        #expect(head.utf8.count > StreamContent.maxBytes - width)  // maximal
        #expect(s.hasPrefix(head))
        #expect(head == String(repeating: char, count: StreamContent.maxBytes / width))
        #expect(String(validating: Array(head.utf8), as: UTF8.self) == head)
    }

    @Test func mixedTextAtASmallLimit() {
        // "a字🙂b" = 1 + 3 + 4 + 1 bytes
        #expect(StreamContent.truncated("a字🙂b", maxBytes: 0) == "")
        #expect(StreamContent.truncated("a字🙂b", maxBytes: 3) == "a")
        #expect(StreamContent.truncated("a字🙂b", maxBytes: 4) == "a字")
        #expect(StreamContent.truncated("a字🙂b", maxBytes: 7) == "a字")
        #expect(StreamContent.truncated("a字🙂b", maxBytes: 8) == "a字🙂")
        #expect(StreamContent.truncated("a字🙂b", maxBytes: 9) == "a字🙂b")
        #expect(StreamContent.truncated("a字🙂b", maxBytes: -1) == "")
    }

    @Test(arguments: ["", "short", String(repeating: "字🙂x", count: 3000)])
    func splitRecombines(s: String) {
        let (head, rest) = StreamContent.split(s)
        #expect(head + rest == s)
        #expect(head.utf8.count <= StreamContent.maxBytes)
        #expect(rest.isEmpty == (s.utf8.count <= StreamContent.maxBytes))
    }
}
