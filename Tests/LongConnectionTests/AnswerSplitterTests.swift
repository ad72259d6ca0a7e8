import Testing
@testable import LongConnection

@Suite struct AnswerSplitterTests {
    /// What every split must keep: nothing lost or reordered, no part over the budget, no part
    /// empty (each is valid UTF-8 by construction: they are Strings decoded from byte ranges).
    static func checkInvariants(_ parts: [String], of text: String, maxBytes: Int) {
        #expect(parts.joined() == text)
        #expect(parts.allSatisfy { $0.utf8.count <= maxBytes }, "\(parts.map(\.utf8.count))")
        #expect(parts.count == 1 || parts.allSatisfy { !$0.isEmpty })
    }

    @Test func aTextThatFitsIsItsOwnPart() {
        #expect(AnswerSplitter.split("短回答") == ["短回答"])
        #expect(AnswerSplitter.split("") == [""])
        let exact = String(repeating: "a", count: 20480)
        #expect(AnswerSplitter.split(exact) == [exact])
    }

    @Test func partsEndAfterTheLastNewlineInTheBudgetsLastQuarter() {
        // 100-byte budget: a newline at 90 is in the last quarter, one at 40 is not.
        let first = String(repeating: "a", count: 39) + "\n" + String(repeating: "b", count: 50) + "\n"
        let text = first + String(repeating: "c", count: 60)
        let parts = AnswerSplitter.split(text, maxBytes: 100)
        #expect(parts == [first, String(repeating: "c", count: 60)])
        Self.checkInvariants(parts, of: text, maxBytes: 100)
    }

    @Test func aSpaceServesWhenNoNewlineIsNearTheEnd() {
        let head = String(repeating: "x", count: 40) + "\n" + String(repeating: "word ", count: 10)  // 91 bytes
        let text = head + String(repeating: "y", count: 30)
        let parts = AnswerSplitter.split(text, maxBytes: 100)
        #expect(parts.first == head)
        Self.checkInvariants(parts, of: text, maxBytes: 100)
    }

    /// Chinese text has no spaces: each part is cut as late as possible, on a character boundary.
    @Test func chineseTextIsCutBetweenCharacters() {
        let text = String(repeating: "企业微信长连接", count: 50)  // 7 characters of 3 bytes each
        let parts = AnswerSplitter.split(text, maxBytes: 100)
        Self.checkInvariants(parts, of: text, maxBytes: 100)
        #expect(parts.dropLast().allSatisfy { $0.utf8.count == 99 }, "33 whole characters, as late as 100 bytes allow")
        #expect(parts.count == 11)
    }

    @Test func fourByteCharactersAreNeverSplit() {
        let text = "a" + String(repeating: "😀", count: 30)  // 1 + 120 bytes
        let parts = AnswerSplitter.split(text, maxBytes: 10)
        Self.checkInvariants(parts, of: text, maxBytes: 10)
        #expect(parts.first == "a😀😀")
        #expect(parts.dropFirst().allSatisfy { $0.unicodeScalars.allSatisfy { $0 == "😀" } })
    }

    /// One line longer than the budget, without a space: cut at the budget.
    @Test func aSingleLineLongerThanTheBudgetIsCutAtIt() {
        let line = String(repeating: "0123456789", count: 5000)  // 50 000 bytes, one line
        let text = "前言\n" + line
        let parts = AnswerSplitter.split(text)
        Self.checkInvariants(parts, of: text, maxBytes: 20480)
        #expect(parts.map(\.utf8.count) == [20480, 20480, text.utf8.count - 40960])
    }

    /// The default budget is WeCom's 20480 bytes; a long markdown answer keeps whole lines.
    @Test func aLongMarkdownAnswerKeepsWholeLines() {
        let lines = (1...2000).map { "- 第\($0)项：企业微信机器人回答的一行内容" }
        let text = lines.joined(separator: "\n")
        let parts = AnswerSplitter.split(text)
        Self.checkInvariants(parts, of: text, maxBytes: AnswerSplitter.defaultMaxBytes)
        #expect(parts.count >= 4)
        #expect(parts.dropLast().allSatisfy { $0.hasSuffix("\n") })
        #expect(parts.allSatisfy { $0.utf8.count > AnswerSplitter.defaultMaxBytes * 3 / 4 || $0 == parts.last })
    }
}
