import DifyStandIn
import Foundation
import JSONCore
import LongConnection
import StoreTestSupport
import Testing
import WeComCrypto
import WeComWSStandIn

/// Issue 18: events, media both ways, and messages the bot sends first, over the long connection.
@Suite(.serialized) struct LongConnectionEventTests {
    static let started = LongConnectionMessageTests.started

    static func event(_ type: String, extra: [String: JSONValue] = [:], msgID: String = "ev-\(UUID().uuidString)") -> Frame {
        var event: [String: JSONValue] = ["eventtype": .string(type)]
        event.merge(extra) { _, new in new }
        return Frame(command: .eventCallback, reqID: "req-\(msgID)", body: [
            "msgid": .string(msgID), "create_time": 1_700_000_000, "aibotid": "aib-ws", "from": ["userid": "lisi"],
            "msgtype": "event", "event": .object(event),
        ])
    }

    @Test func enterChatIsWelcomedAndFeedbackAndCardEventsAreStored() async throws {
        let s = try await Self.started(.sqlite, ["WECOM_WELCOME_TEXT": "你好，我是长连接机器人"])
        defer { s.stop() }
        let enter = Self.event("enter_chat")
        try await s.wecom.push(enter)
        // WeCom takes a welcome only within 5 s of the event (docs/wecom-protocol.md §8.3).
        #expect(await s.wecom.received.wait(timeout: .seconds(5)) {
            $0.frame.command == .respondWelcome && $0.frame.reqID == enter.reqID
                && $0.frame.body?["text"]?["content"]?.stringValue == "你好，我是长连接机器人"
        })
        try await s.wecom.push(Self.event("feedback_event", extra: [
            "feedback_event": ["id": "fb-1", "type": 2, "content": "不准确", "inaccurate_reason_list": [2]],
        ]))
        try await s.wecom.push(Self.event("template_card_event", extra: [
            "template_card_event": ["card_type": "button_interaction", "event_key": "approve", "task_id": "task-9"],
        ]))
        try s.waitForSQL("SELECT count(*) FROM feedback", toBe: "2")
        #expect(try s.sql("SELECT kind || '|' || reference || '|' || coalesce(detail, '') FROM feedback ORDER BY kind")
            == "feedback|fb-1|不准确\ntemplate_card|task-9|approve")
        #expect(s.wecom.received.all.filter { $0.frame.command == .respondMessage }.isEmpty)
    }

    @Test func anImageWithItsOwnAESKeyReachesDifyDecrypted() async throws {
        let s = try await Self.started(.sqlite, [:])
        defer { s.stop() }
        s.dify.defaultScript = .answer(text: "看到了")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<5000).map { UInt8($0 % 253) }
        let rawKey = (0..<32).map { UInt8(($0 * 7 + 3) % 256) }
        let aesKey = String(Data(rawKey).base64EncodedString().dropLast())  // WeCom leaves the '=' off
        let encrypted = try AESKey(mediaAESKey: aesKey).encryptMedia(png)
        let url = s.dify.serve(path: "/cos/ws-image-1", bytes: Data(encrypted), contentType: "application/octet-stream")
        let message = Frame(command: .messageCallback, reqID: "req-img", body: [
            "msgid": "ws-img-1", "aibotid": "aib-ws", "chattype": "single", "from": ["userid": "lisi"],
            "msgtype": "image", "image": ["url": .string(url), "aeskey": .string(aesKey)],
        ])
        try await s.wecom.push(message)
        #expect(await s.wecom.received.wait(timeout: .seconds(30), where: LongConnectionMessageTests.isFinal(reqID: "req-img")))
        #expect(s.dify.uploads.map { [UInt8]($0.bytes) } == [png])
        #expect(LongConnectionMessageTests.streamFrames(s, reqID: "req-img").last?.content == "看到了")
    }

    @Test func anAnswerImageIsUploadedAndSentAfterTheFinalFrame() async throws {
        let s = try await Self.started(.sqlite, [:])
        defer { s.stop() }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("a tiny picture".utf8)
        _ = s.dify.serve(path: "/files/tools/cat.png", bytes: Data(png), contentType: "image/png")
        s.dify.defaultScript = .answer(chunks: ["这是一只猫：", "![小猫](/files/tools/cat.png?sign=abc)", "。"])
        let message = try await s.wecom.pushText("画只猫")
        #expect(await s.wecom.received.wait(timeout: .seconds(30)) {
            $0.frame.command == .sendMessage && $0.frame.body?["msgtype"]?.stringValue == "image"
        })
        let upload = try #require(s.wecom.uploads.all.first)
        #expect(upload.bytes == png && upload.type == "image")
        let frames = s.wecom.received.all.map(\.frame)
        let final = try #require(frames.firstIndex { $0.reqID == message.reqID && $0.body?["stream"]?["finish"] == .bool(true) })
        let image = try #require(frames.firstIndex { $0.command == .sendMessage })
        #expect(final < image)
        #expect(frames[image].body?["image"]?["media_id"]?.stringValue == upload.mediaID)
        #expect(frames[image].body?["chatid"]?.stringValue == "standin-user")
        let content = try #require(frames[final].body?["stream"]?["content"]?.stringValue)
        #expect(content.contains("小猫") && !content.contains("/files/tools/cat.png"))
    }

    @Test(arguments: Backend.allCases) func wecomctlSendGoesOutOnceWithTheRightChatType(_ backend: Backend) async throws {
        let s = try await Self.started(backend, [:])
        defer { s.stop() }
        let toUser = try s.wecomctl.run("send", "standin-bot", "--to", "wangwu", "--markdown", "**提醒**：周会改到 3 点")
        #expect(toUser.status == 0, "\(toUser.all)")
        #expect(toUser.stdout.contains("sent"))
        let toGroup = try s.wecomctl.run("send", "standin-bot", "--chat", "wrGROUP1", "--markdown", "大家好")
        #expect(toGroup.status == 0, "\(toGroup.all)")
        let sends = s.wecom.received.all.filter { $0.frame.command == .sendMessage }.map { $0.frame.body }
        #expect(sends.count == 2)
        #expect(sends.first??["chat_type"] == .number(1) && sends.first??["chatid"]?.stringValue == "wangwu")
        #expect(sends.first??["markdown"]?["content"]?.stringValue == "**提醒**：周会改到 3 点")
        #expect(sends.last??["chat_type"] == .number(2) && sends.last??["chatid"]?.stringValue == "wrGROUP1")

        // WeCom refuses the next one: the operator reads the code and what it means.
        s.wecom.answer(.sendMessage, errcode: 846607, errmsg: "rate limited")
        let refused = try s.wecomctl.run("send", "standin-bot", "--to", "wangwu", "--markdown", "再来一条")
        #expect(refused.status == 1)
        #expect(refused.all.contains("846607"), "\(refused.all)")
    }

    @Test func wecomctlSendRefusesACallbackBot() async throws {
        let s = try await Self.started(.sqlite, [:])
        defer { s.stop() }
        let key = EncodingAESKeyGenerator.make()
        #expect(try s.wecomctl.run("bots", "add", "cb-bot", "--token", "tok123", "--aes-key", key).status == 0)
        let refused = try s.wecomctl.run("send", "cb-bot", "--to", "wangwu", "--markdown", "你好")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("long connection") || refused.stderr.contains("长连接"), "\(refused.all)")
        #expect(try s.sql("SELECT count(*) FROM outbound_messages") == "0")
        #expect(s.wecom.received.all.filter { $0.frame.command == .sendMessage }.isEmpty)
    }
}
