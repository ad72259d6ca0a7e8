import Testing
import WeComModel
@testable import MessageIntake

@Suite struct UserTextTests {
    @Test func groupTextAndMixedLoseTheMention() {
        #expect(MessageIntake.userText(of: .text("@RobotA 你好"), botName: "RobotA", inGroup: true) == "你好")
        #expect(MessageIntake.userText(of: .text("@RobotA 你好"), botName: "RobotA", inGroup: false) == "@RobotA 你好")
        #expect(MessageIntake.userText(of: .voice("语音转写"), botName: nil, inGroup: false) == "语音转写")
        let mixed = MessageContent.mixed([.text("@RobotA 看图"), .image(url: "https://x/1"), .text("第二段")])
        #expect(MessageIntake.userText(of: mixed, botName: "RobotA", inGroup: true) == "看图\n第二段")
        #expect(MessageIntake.userText(of: .image(url: "https://x"), botName: nil, inGroup: false) == nil)
    }
}
