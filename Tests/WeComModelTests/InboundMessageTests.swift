import Foundation
import Testing
@testable import WeComModel

@Suite struct InboundMessageTests {
    @Test func textDirectMessage() throws {
        let message = try InboundMessage.decode(Payloads.textDM)
        #expect(message == InboundMessage(
            msgID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", aibotID: "aibBOTID", chatType: .single,
            from: Sender(userID: "zhangsan"),
            responseURL: "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=CODE",
            msgType: "text", content: .text("hello robot")))
    }

    @Test func groupTextKeepsChatIDAndMention() throws {
        let message = try InboundMessage.decode(Payloads.groupText)
        #expect(message.chatID == "wrCHATID")
        #expect(message.chatType == .group)
        #expect(message.from.userID == "lisi")
        #expect(message.content == .text("@RobotA hello robot"))
        #expect(message.quote == nil)
    }

    @Test func v2PlaintextFromTestVectors() throws {
        let message = try InboundMessage.decode(Payloads.v2)
        #expect(message == InboundMessage(
            msgID: "CAIQ16HMjQYYtestmsgid0001", aibotID: "aibTESTBOTID", chatID: "wrTESTCHATID",
            chatType: .group, from: Sender(userID: "zhangsan"),
            responseURL: "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=TESTCODE",
            msgType: "text", content: .text("@RobotA 你好，帮我总结一下")))
        #expect(Array(Payloads.v2.utf8).count == 299)
    }

    @Test(arguments: [
        (Payloads.image, "image", MessageContent.image(url: "https://cos.example.com/img?sign=1")),
        (Payloads.voice, "voice", .voice("今天天气怎么样")),
        (Payloads.file, "file", .file(url: "https://cos.example.com/f.pdf")),
        (Payloads.video, "video", .video(url: "https://cos.example.com/v.mp4")),
        (Payloads.streamRefresh, "stream", .streamRefresh(id: "stream-0001")),
        (Payloads.location, "location", .unknown(msgType: "location")),
    ])
    func singleBodies(json: String, msgType: String, content: MessageContent) throws {
        let message = try InboundMessage.decode(json)
        #expect(message.msgType == msgType)
        #expect(message.content == content)
    }

    @Test func mixedItemsStayInOrder() throws {
        let message = try InboundMessage.decode(Payloads.mixed)
        #expect(message.content == .mixed([
            .text("@RobotA 看这张图"),
            .image(url: "https://cos.example.com/a.png"),
            .unknown("sticker"),
        ]))
    }

    /// Long-connection media carry their URL's own key; callback media have none.
    @Test func longConnectionMediaKeepTheirAESKeys() throws {
        let image = try InboundMessage.decode(#"{"msgid":"m","msgtype":"image","image":{"url":"https://x/i","aeskey":"K1"}}"#)
        #expect(image.content == .image(url: "https://x/i", aesKey: "K1"))
        let file = try InboundMessage.decode(#"{"msgid":"m","msgtype":"file","file":{"url":"https://x/f","aeskey":"K2"}}"#)
        #expect(file.content == .file(url: "https://x/f", aesKey: "K2"))
        let video = try InboundMessage.decode(#"{"msgid":"m","msgtype":"video","video":{"url":"https://x/v","aeskey":"K3"}}"#)
        #expect(video.content == .video(url: "https://x/v", aesKey: "K3"))
        let mixed = try InboundMessage.decode(#"""
            {"msgid":"m","msgtype":"mixed","mixed":{"msg_item":[{"msgtype":"image","image":{"url":"https://x/a","aeskey":"K4"}},
             {"msgtype":"image","image":{"url":"https://x/b"}}]}}
            """#)
        #expect(mixed.content == .mixed([.image(url: "https://x/a", aesKey: "K4"), .image(url: "https://x/b")]))
        #expect(try InboundMessage.decode(Payloads.image).content == .image(url: "https://cos.example.com/img?sign=1", aesKey: nil))
        #expect(throws: WeComModelError.malformed("image.aeskey: expected string, got number")) {
            try InboundMessage.decode(#"{"msgid":"m","msgtype":"image","image":{"url":"https://x/i","aeskey":1}}"#)
        }
    }

    @Test func quoteOfAnImage() throws {
        let message = try InboundMessage.decode(Payloads.textQuotingImage)
        #expect(message.content == .text("这张图里是什么"))
        #expect(message.quote == Quote(msgType: "image", content: .image(url: "https://cos.example.com/q.jpg")))
    }

    @Test func quoteOfText() throws {
        let message = try InboundMessage.decode(Payloads.textQuotingText)
        #expect(message.quote == Quote(msgType: "text", content: .text("这是今日的测试情况")))
    }

    @Test func missingOptionalFieldsGetDefaults() throws {
        let message = try InboundMessage.decode(#"{"msgid":"m","msgtype":"text","text":{"content":"x"},"chatid":null}"#)
        #expect(message.aibotID == "")
        #expect(message.from == Sender(userID: ""))
        #expect(message.chatID == nil)
        #expect(message.chatType == nil)
        #expect(message.responseURL == nil)
        #expect(message.createTime == nil)
    }

    @Test func createTimeAsDigitStringIsAccepted() throws {
        let message = try InboundMessage.decode(#"{"msgid":"m","create_time":"1700000000","msgtype":"x"}"#)
        #expect(message.createTime == 1_700_000_000)
    }

    @Test func otherChatTypeIsKept() throws {
        let message = try InboundMessage.decode(#"{"msgid":"m","chattype":"channel","msgtype":"x"}"#)
        #expect(message.chatType == .other("channel"))
        #expect(message.content == .unknown(msgType: "x"))
    }
}
