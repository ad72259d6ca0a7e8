import JSONCore
import Testing
@testable import LongConnection

@Suite struct FrameCodecTests {
    private func text(_ frame: Frame) -> String { String(decoding: FrameCodec.encode(frame), as: UTF8.self) }

    @Test func subscribeAndPingAsDocumented() {
        let credentials = BotCredentials(botID: "BOTID", secret: "SECRET")
        #expect(text(.subscribe(reqID: "R1", credentials: credentials))
            == #"{"body":{"bot_id":"BOTID","secret":"SECRET"},"cmd":"aibot_subscribe","headers":{"req_id":"R1"}}"#)
        #expect(text(.ping(reqID: "R2")) == #"{"cmd":"ping","headers":{"req_id":"R2"}}"#)
    }

    @Test func repliesCarryTheCallbacksRequestID() {
        #expect(text(.streamReply(reqID: "R3", streamID: "S1", content: "正在查询…", finish: false))
            == #"{"body":{"msgtype":"stream","stream":{"content":"正在查询…","finish":false,"id":"S1"}},"cmd":"aibot_respond_msg","headers":{"req_id":"R3"}}"#)
        #expect(text(.markdownReply(reqID: "R3", content: "**ok**"))
            == #"{"body":{"markdown":{"content":"**ok**"},"msgtype":"markdown"},"cmd":"aibot_respond_msg","headers":{"req_id":"R3"}}"#)
        #expect(text(.mediaReply(reqID: "R3", type: .image, mediaID: "M1"))
            == #"{"body":{"image":{"media_id":"M1"},"msgtype":"image"},"cmd":"aibot_respond_msg","headers":{"req_id":"R3"}}"#)
        #expect(text(.templateCardReply(reqID: "R3", card: ["card_type": "text_notice"]))
            == #"{"body":{"msgtype":"template_card","template_card":{"card_type":"text_notice"}},"cmd":"aibot_respond_msg","headers":{"req_id":"R3"}}"#)
        #expect(text(.welcomeText(reqID: "R5", content: "你好"))
            == #"{"body":{"msgtype":"text","text":{"content":"你好"}},"cmd":"aibot_respond_welcome_msg","headers":{"req_id":"R5"}}"#)
        #expect(text(.welcomeCard(reqID: "R5", card: ["card_type": "text_notice"]))
            == #"{"body":{"msgtype":"template_card","template_card":{"card_type":"text_notice"}},"cmd":"aibot_respond_welcome_msg","headers":{"req_id":"R5"}}"#)
        #expect(text(.templateCardUpdate(reqID: "R6", card: ["card_type": "button_interaction"], userIDs: ["u1"]))
            == #"{"body":{"response_type":"update_template_card","template_card":{"card_type":"button_interaction"},"userids":["u1"]},"cmd":"aibot_respond_update_msg","headers":{"req_id":"R6"}}"#)
        #expect(text(.templateCardUpdate(reqID: "R6", card: [:]))
            == #"{"body":{"response_type":"update_template_card","template_card":{}},"cmd":"aibot_respond_update_msg","headers":{"req_id":"R6"}}"#)
    }

    /// `chat_type` 1 for a user, 2 for a group; the group's chatid goes without a prefix (93006).
    @Test func sendMessageNamesTheChatType() {
        #expect(text(.sendMarkdown(reqID: "R4", to: .user("zhangsan"), content: "hi"))
            == #"{"body":{"chat_type":1,"chatid":"zhangsan","markdown":{"content":"hi"},"msgtype":"markdown"},"cmd":"aibot_send_msg","headers":{"req_id":"R4"}}"#)
        #expect(text(.sendMarkdown(reqID: "R4", to: .group("wrkSFfCgAAxxx"), content: "hi"))
            == #"{"body":{"chat_type":2,"chatid":"wrkSFfCgAAxxx","markdown":{"content":"hi"},"msgtype":"markdown"},"cmd":"aibot_send_msg","headers":{"req_id":"R4"}}"#)
        #expect(text(.sendMedia(reqID: "R4", to: .group("g"), type: .file, mediaID: "M2"))
            == #"{"body":{"chat_type":2,"chatid":"g","file":{"media_id":"M2"},"msgtype":"file"},"cmd":"aibot_send_msg","headers":{"req_id":"R4"}}"#)
    }

    @Test func uploadSteps() {
        #expect(text(.uploadMediaInit(reqID: "U1", type: .image, filename: "a.png", totalSize: 600_000, totalChunks: 2, md5: "abc"))
            == #"{"body":{"filename":"a.png","md5":"abc","total_chunks":2,"total_size":600000,"type":"image"},"cmd":"aibot_upload_media_init","headers":{"req_id":"U1"}}"#)
        #expect(text(.uploadMediaChunk(reqID: "U2", uploadID: "up", chunkIndex: 0, base64Data: "AAEC"))
            == #"{"body":{"base64_data":"AAEC","chunk_index":0,"upload_id":"up"},"cmd":"aibot_upload_media_chunk","headers":{"req_id":"U2"}}"#)
        #expect(text(.uploadMediaFinish(reqID: "U3", uploadID: "up"))
            == #"{"body":{"upload_id":"up"},"cmd":"aibot_upload_media_finish","headers":{"req_id":"U3"}}"#)
    }

    @Test func decodesCallbacks() throws {
        let message = #"{"cmd":"aibot_msg_callback","headers":{"req_id":"R3"},"body":{"msgid":"m1","aibotid":"b","chatid":"c","chattype":"group","from":{"userid":"u"},"msgtype":"image","image":{"url":"https://x/y","aeskey":"K"}}}"#
        guard case let .command(frame) = try FrameCodec.decode(Array(message.utf8)) else {
            Issue.record("expected a command frame")
            return
        }
        #expect(frame.command == .messageCallback)
        #expect(frame.reqID == "R3")
        #expect(frame.body?["image"]?["aeskey"]?.stringValue == "K")
        #expect(!frame.isDisconnectedEvent)
        #expect("\(frame)" == "aibot_msg_callback req_id=R3")
    }

    @Test func recognisesTheTakeoverEvent() throws {
        let message = #"{"cmd":"aibot_event_callback","headers":{"req_id":"R9"},"body":{"msgid":"m","create_time":1700000000,"aibotid":"b","msgtype":"event","event":{"eventtype":"disconnected_event"}}}"#
        guard case let .command(frame) = try FrameCodec.decode(Array(message.utf8)) else {
            Issue.record("expected a command frame")
            return
        }
        #expect(frame.isDisconnectedEvent)
        let enterChat = Frame(command: .eventCallback, reqID: "R", body: ["event": ["eventtype": "enter_chat"]])
        #expect(!enterChat.isDisconnectedEvent)
    }

    @Test func decodesAcks() throws {
        #expect(try FrameCodec.decode(Array(#"{"headers":{"req_id":"R1"},"errcode":0,"errmsg":"ok"}"#.utf8))
            == .ack(Ack(reqID: "R1")))
        #expect(try FrameCodec.decode(Array(#"{"headers":{"req_id":"R1"},"errcode":853000,"errmsg":"invalid"}"#.utf8))
            == .ack(Ack(reqID: "R1", errcode: 853000, errmsg: "invalid")))
        #expect(try FrameCodec.decode(Array(#"{"headers":{"req_id":"U1"},"errcode":0,"errmsg":"ok","body":{"upload_id":"up"}}"#.utf8))
            == .ack(Ack(reqID: "U1", body: ["upload_id": "up"])))
        // An empty cmd is no command: the frame is read as an ack.
        #expect(try FrameCodec.decode(Array(#"{"cmd":"","headers":{"req_id":"R1"},"errcode":846608}"#.utf8))
            == .ack(Ack(reqID: "R1", errcode: 846608, errmsg: "")))
    }

    @Test func encodedFramesAndAcksReadBack() throws {
        let frames: [Frame] = [.ping(reqID: "p"), .streamReply(reqID: "r", streamID: "s", content: "a\"b\n", finish: true)]
        for frame in frames {
            #expect(try FrameCodec.decode(FrameCodec.encode(frame)) == .command(frame))
        }
        let ack = Ack(reqID: "U3", errcode: 0, errmsg: "ok", body: ["media_id": "M", "created_at": 1_700_000_000])
        #expect(try FrameCodec.decode(FrameCodec.encode(ack)) == .ack(ack))
    }

    @Test(arguments: [
        ("not json", FrameDecodeError.notJSON(.invalid(offset: 0, reason: ""))),
        ("[1]", .notAnObject),
        (#"{"cmd":"ping"}"#, .missingRequestID),
        (#"{"cmd":"ping","headers":{"req_id":7}}"#, .missingRequestID),
        (#"{"headers":{"req_id":"R"}}"#, .neitherCommandNorAck),
        (#"{"headers":{"req_id":"R"},"errcode":"0"}"#, .neitherCommandNorAck),
    ])
    func refusesWhatIsNoFrame(message: String, expected: FrameDecodeError) {
        do {
            _ = try FrameCodec.decode(Array(message.utf8))
            Issue.record("decoded \(message)")
        } catch {
            switch (error, expected) {
            case (.notJSON, .notJSON): break
            default: #expect(error == expected)
            }
        }
    }

    /// A hostile frame nested past the limit is refused, not followed down the stack.
    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let message = #"{"cmd":"x","headers":{"req_id":"R"},"body":"# + deep + "}"
        #expect(throws: FrameDecodeError.notJSON(.tooDeep(limit: FrameCodec.depthLimit))) {
            try FrameCodec.decode(Array(message.utf8))
        }
    }

    @Test func credentialsNeverShowTheSecret() {
        let credentials = BotCredentials(botID: "aibX", secret: "ws-Secret-42")
        var dumped = ""
        dump(credentials, to: &dumped)
        for shown in ["\(credentials)", String(reflecting: credentials), dumped] {
            #expect(shown.contains("aibX") && !shown.contains("ws-Secret-42"), "\(shown)")
        }
        let frame = Frame.subscribe(reqID: "R1", credentials: credentials)
        #expect(!"\(frame)".contains("ws-Secret-42") && !String(reflecting: frame).contains("ws-Secret-42"))
    }
}
