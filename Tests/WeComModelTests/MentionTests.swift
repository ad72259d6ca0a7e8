import Testing
@testable import WeComModel

@Suite struct MentionTests {
    @Test(arguments: [
        ("@RobotA hello robot", "hello robot"),
        ("请 @RobotA 帮我", "请 帮我"),
        ("@RobotA\u{2005}你好", "你好"),
        ("@RobotA\u{00A0}你好", "你好"),
        ("@RobotA你好", "你好"),
        ("@RobotA  two spaces", "two spaces"),
        ("@RobotA hi @RobotA", "hi"),
        ("@Someone 问 @RobotA 一下", "@Someone 问 一下"),
        ("  @RobotA  ", ""),
    ])
    func stripsRobotA(text: String, expected: String) {
        #expect(Mention.strip(botName: "RobotA", from: text) == expected)
    }

    @Test func mentionAtTheEndWithTrailingSpace() {
        #expect(Mention.strip(botName: "项目开发管理助手", from: "hello@项目开发管理助手 ") == "hello")
    }

    @Test func nameWithLeadingAtSignOrSpaces() {
        #expect(Mention.strip(botName: " @RobotA ", from: "@RobotA hi") == "hi")
    }

    @Test(arguments: [nil, "", "  "] as [String?])
    func absentNameOnlyTrims(name: String?) {
        #expect(Mention.strip(botName: name, from: " \n@RobotA hello\u{2005}") == "@RobotA hello")
    }

    @Test func otherMentionsAreKept() {
        #expect(Mention.strip(botName: "RobotA", from: "@Someone 看看") == "@Someone 看看")
    }
}
