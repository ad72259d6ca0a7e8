import Testing
@testable import WeComModel

@Suite struct MalformedMessageTests {
    @Test(arguments: [
        (#"["msgid"]"#, "message: expected object, got array"),
        (#""text""#, "message: expected object, got string"),
        (#"{"msgid":"m""#, "invalid JSON"),
        ("", "invalid JSON"),
        (#"{"msgid":"m","text":{"content":"x"}}"#, "msgtype: missing"),
        (#"{"msgtype":"text","text":{"content":"x"}}"#, "msgid: missing"),
        (#"{"msgid":"m","msgtype":7}"#, "msgtype: expected string, got number"),
        (#"{"msgid":"m","msgtype":"text","text":{"content":42}}"#, "text.content: expected string, got number"),
        (#"{"msgid":"m","msgtype":"text"}"#, "text: missing"),
        (#"{"msgid":"m","msgtype":"text","text":"hi"}"#, "text: expected object, got string"),
        (#"{"msgid":"m","msgtype":"image","image":{"url":true}}"#, "image.url: expected string, got bool"),
        (#"{"msgid":"m","msgtype":"mixed","mixed":{"msg_item":[{"msgtype":"text","text":{"content":[]}}]}}"#,
         "mixed.msg_item[0].text.content: expected string, got array"),
        (#"{"msgid":"m","msgtype":"text","text":{"content":"x"},"quote":{"msgtype":"text","text":{"content":1}}}"#,
         "quote.text.content: expected string, got number"),
        (#"{"msgid":"m","msgtype":"text","text":{"content":"x"},"quote":{"text":{"content":"y"}}}"#,
         "quote.msgtype: missing"),
        (#"{"msgid":"m","msgtype":"text","text":{"content":"x"},"create_time":1.5}"#,
         "create_time: expected integer, got number"),
        (#"{"msgid":"m","msgtype":"text","text":{"content":"x"},"from":"zhangsan"}"#,
         "from: expected object, got string"),
        (#"{"msgid":"m","msgtype":"event","event":{}}"#, "event.eventtype: missing"),
        (#"{"msgid":"m","msgtype":"event","event":{"eventtype":"feedback_event","feedback_event":{"id":"f","type":"bad"}}}"#,
         "event.feedback_event.type: expected integer, got string"),
        (#"{"msgid":"m","msgtype":"stream","stream":{"id":5}}"#, "stream.id: expected string, got number"),
    ])
    func reasonNamesTheField(json: String, reason: String) {
        #expect(throws: WeComModelError.malformed(reason)) {
            try InboundMessage.decode(json)
        }
    }

    @Test func descriptionIsOneLine() {
        let error = WeComModelError.malformed("text.content: expected string, got number")
        #expect(error.description == "malformed WeCom message: text.content: expected string, got number")
    }

    @Test func unknownMsgTypeNeverFails() throws {
        let message = try InboundMessage.decode(#"{"msgid":"m","msgtype":"location","location":42}"#)
        #expect(message.content == .unknown(msgType: "location"))
    }
}
