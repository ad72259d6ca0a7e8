import Testing
@testable import WeComModel

@Suite struct ReplyTests {
    /// docs/wecom-protocol.md §10.2 V4: a real PNG header, ready-made for `msg_item`.
    static let v4Image = ReplyImage(
        base64: "iVBORw0KGgoAAAANSUhEUmZha2UtaW1hZ2UtcGF5bG9hZC0wMTIz",
        md5: "21e192246b2e63d9998c54dce9227667")

    @Test func textWelcome() throws {
        try expectJSON(Reply.text("hello\nI'm RobotA\n").jsonBytes(),
                       equals: #"{"msgtype":"text","text":{"content":"hello\nI'm RobotA\n"}}"#)
    }

    @Test func firstStreamFrameMatchesV3() throws {
        let bytes = Reply.stream(StreamReply(id: "stream-0001", finish: false, content: "")).jsonBytes()
        try expectJSON(bytes, equals: #"{"msgtype":"stream","stream":{"id":"stream-0001","finish":false,"content":""}}"#)
    }

    @Test func finalStreamFrameWithImageAndFeedback() throws {
        let reply = Reply.stream(StreamReply(
            id: "stream-0001", finish: true, content: "**完成** see https://example.com/a/b",
            images: [Self.v4Image], feedbackID: "FEEDBACKID"))
        try expectJSON(reply.jsonBytes(), equals: #"""
            {"msgtype":"stream","stream":{"id":"stream-0001","finish":true,
             "content":"**完成** see https://example.com/a/b",
             "msg_item":[{"msgtype":"image","image":{
               "base64":"iVBORw0KGgoAAAANSUhEUmZha2UtaW1hZ2UtcGF5bG9hZC0wMTIz",
               "md5":"21e192246b2e63d9998c54dce9227667"}}],
             "feedback":{"id":"FEEDBACKID"}}}
            """#)
    }

    @Test func imagesDroppedOnNonFinalFrame() throws {
        let reply = Reply.stream(StreamReply(id: "s", finish: false, content: "…", images: [Self.v4Image]))
        try expectJSON(reply.jsonBytes(), equals: #"{"msgtype":"stream","stream":{"id":"s","finish":false,"content":"…"}}"#)
    }

    @Test func imagesCappedAtTen() throws {
        let images = (0..<12).map { ReplyImage(base64: "b\($0)", md5: "m\($0)") }
        let reply = Reply.stream(StreamReply(id: "s", finish: true, content: "", images: images))
        let items = try JSONValue.parse(reply.jsonBytes())["stream"]?["msg_item"]?.arrayValue
        #expect(items?.count == 10)
        #expect(items?.last?["image"]?["base64"] == "b9")
    }

    @Test func contentIsTruncatedToTheLimit() throws {
        let long = String(repeating: "字", count: 7000)  // 21000 bytes
        let reply = Reply.stream(StreamReply(id: "s", finish: true, content: long))
        let content = try JSONValue.parse(reply.jsonBytes())["stream"]?["content"]?.stringValue
        #expect(content?.utf8.count == 20478)
        #expect(content.map(long.hasPrefix) == true)
    }

    /// Stream replies are written without building the tree; byte for byte the same as writing it.
    @Test(arguments: [
        StreamReply(id: "s1", finish: false, content: ""),
        StreamReply(id: "s\"2", finish: false, content: "含 \"引号\" 和\n换行 \\ / <b>", images: [v4Image]),
        StreamReply(id: "s3", finish: true, content: "done", images: [v4Image], feedbackID: "F\u{1}B"),
        StreamReply(id: "s4", finish: true, content: String(repeating: "长", count: 7000), feedbackID: "fb"),
        StreamReply(id: "s5", finish: true, content: "x", images: (0..<12).map { ReplyImage(base64: "b\($0)", md5: "m\($0)") }),
    ])
    func streamBytesEqualTheTreeWritten(stream: StreamReply) {
        let reply = Reply.stream(stream)
        #expect(reply.jsonBytes() == JSONWriter.bytes(reply.jsonValue!))
    }

    @Test func templateCardPassthrough() throws {
        let card: JSONValue = [
            "card_type": "button_interaction",
            "main_title": ["title": "部署确认", "desc": "https://example.com/x"],
            "button_list": [["text": "确认", "style": 1, "key": "ok"]],
            "task_id": "task-1",
            "feedback": ["id": "fb"],
        ]
        try expectJSON(Reply.templateCard(card).jsonBytes(), equals: #"""
            {"msgtype":"template_card","template_card":{"card_type":"button_interaction",
             "main_title":{"title":"部署确认","desc":"https://example.com/x"},
             "button_list":[{"text":"确认","style":1,"key":"ok"}],"task_id":"task-1",
             "feedback":{"id":"fb"}}}
            """#)
        // Integers stay integers on the wire.
        #expect(String(decoding: Reply.templateCard(card).jsonBytes(), as: UTF8.self).contains(#""style":1,"#))
    }

    @Test func emptyIsZeroBytes() {
        #expect(Reply.empty.jsonBytes() == [])
        #expect(Reply.empty.jsonValue == nil)
    }

    @Test func markdownMessage() throws {
        try expectJSON(MarkdownMessage(content: "# 结果\n- a/b").jsonBytes(),
                       equals: ##"{"msgtype":"markdown","markdown":{"content":"# 结果\n- a/b"}}"##)
        try expectJSON(MarkdownMessage(content: "x", feedbackID: "f").jsonBytes(),
                       equals: #"{"msgtype":"markdown","markdown":{"content":"x","feedback":{"id":"f"}}}"#)
    }

    @Test func templateCardUpdate() throws {
        let card: JSONValue = ["card_type": "text_notice", "task_id": "task-1"]
        try expectJSON(TemplateCardUpdate(userIDs: ["u1"], card: card).jsonBytes(), equals: #"""
            {"response_type":"update_template_card","userids":["u1"],
             "template_card":{"card_type":"text_notice","task_id":"task-1"}}
            """#)
        try expectJSON(TemplateCardUpdate(card: card).jsonBytes(), equals: #"""
            {"response_type":"update_template_card","template_card":{"card_type":"text_notice","task_id":"task-1"}}
            """#)
    }
}
