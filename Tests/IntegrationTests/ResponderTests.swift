import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// The callback endpoint end to end: real nginx → real `wecom-fcgi` processes (2 masters ×
/// 2 children) → a real SQLite file or PostgreSQL schema (every test runs on both), driven by
/// encrypted callbacks built as WeCom builds them.
@Suite(.serialized) struct ResponderTests {
    static let v1Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    /// One test's stack on one backend and its bot's credentials; released, it stops the stack
    /// and removes its database.
    final class Fixture {
        let token = "tok" + SecureRandom.alphanumeric(12)
        let key = EncodingAESKeyGenerator.make()
        let stack: ResponderStack
        let wecom: WeComSimulator

        init(_ backend: Backend) throws {
            stack = try ResponderStack(environment: [
                "WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key, "WECOM_THINKING_TEXT": "正在思考…",
            ], backend: backend)
            wecom = try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key)
        }
    }

    @Test(arguments: Backend.allCases) func urlVerificationWithVectorV1(_ backend: Backend) throws {
        let f = try Fixture(backend)
        try f.stack.sql("INSERT INTO bots(botid, token, encoding_aes_key, receive_id, created_at) VALUES ('v1bot', 'AibotTestToken', '\(Self.v1Key)', '', 0)")
        let echostr = "eKM+xtlfPlz9GpwG4zECew9S2p5DGP5RNbHZhCSLKbr+ilkYRRVtLEHCpEzc0cRxskmxuJTGtKzWikiG5bX93A=="
        let target = "/wecom/callback/v1bot?msg_signature=aef1e23ed27b3270a3ed434a54d7ad1ec11c8901&timestamp=1700000000&nonce=1234567890&echostr=\(WeComSimulator.percentEncode(echostr))"
        let response = try HTTPClient.request(port: f.stack.port, method: "GET", target: target)
        #expect(response.status == 200)
        #expect(response.body == Array("6982341587301529".utf8))
    }

    @Test(arguments: Backend.allCases) func urlVerificationWithFreshRandomKey(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let (response, expected) = try f.wecom.verify()
        #expect(response.status == 200)
        #expect(response.text == expected)
    }

    @Test(arguments: Backend.allCases) func textMessageOpensStreamAndQueuesJob(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let reply = try f.wecom.postAndOpen(WeComSimulator.text(msgID: "m-text-1", content: "你好"))
        #expect(reply["msgtype"] as? String == "stream")
        let streamID = try #require(reply.stream["id"] as? String)
        #expect(reply.stream["finish"] as? Bool == false)
        #expect(reply.stream["content"] as? String == "正在思考…")
        #expect(try f.stack.sql("SELECT state || '|' || content || '|' || userid || '|' || msgid FROM streams WHERE id = '\(streamID)'")
                == "pending|正在思考…|zhangsan|m-text-1")
        #expect(try f.stack.sql("SELECT state || '|' || attempts FROM jobs WHERE stream_id = '\(streamID)'") == "queued|0")
        let payload = try f.stack.sql("SELECT payload FROM jobs WHERE stream_id = '\(streamID)'")
        #expect(payload.contains(#""text":"你好""#))
    }

    @Test(arguments: Backend.allCases) func groupTextLosesTheBotMention(_ backend: Backend) throws {
        let f = try Fixture(backend)
        try f.stack.sql("INSERT INTO bots(botid, token, encoding_aes_key, receive_id, bot_name, created_at) VALUES ('named', '\(f.token)', '\(f.key)', '', 'RobotA', 0)")
        let named = try WeComSimulator(port: f.stack.port, botID: "named", token: f.token, key: f.key)
        let reply = try named.postAndOpen(WeComSimulator.text(msgID: "m-group-1", content: "请 @RobotA 帮我总结", chatID: "wrCHAT"))
        let streamID = try #require(reply.stream["id"] as? String)
        let payload = try f.stack.sql("SELECT payload FROM jobs WHERE stream_id = '\(streamID)'")
        #expect(payload.contains(#""text":"请 帮我总结""#))
        #expect(try f.stack.sql("SELECT chatid || '|' || chattype FROM streams WHERE id = '\(streamID)'") == "wrCHAT|group")
    }

    @Test(arguments: Backend.allCases) func sameMsgIDThreeTimesConcurrentlyGivesOneJobAndOneStreamID(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let json = WeComSimulator.text(msgID: "m-dup-1", content: "重复投递")
        let wecom = f.wecom, port = f.stack.port
        let requests = try (0..<3).map { _ in try wecom.signedPost(json) }
        let results = ConcurrentResults<String>(count: requests.count)
        DispatchQueue.concurrentPerform(iterations: requests.count) { i in
            results.set(i) {
                let response = try HTTPClient.request(port: port, method: "POST", target: requests[i].target, body: requests[i].body)
                guard response.status == 200 else { throw FixtureError("status \(response.status)") }
                return try wecom.open(response.body).stream["id"] as? String ?? ""
            }
        }
        let ids = try results.values()
        #expect(ids.count == 3)
        #expect(Set(ids).count == 1)
        #expect(!ids[0].isEmpty)
        #expect(try f.stack.sql("SELECT count(*) FROM jobs j JOIN streams s ON s.id = j.stream_id WHERE s.msgid = 'm-dup-1'") == "1")
        #expect(try f.stack.sql("SELECT count(*) FROM streams WHERE msgid = 'm-dup-1'") == "1")
    }

    @Test(arguments: Backend.allCases) func refreshShowsStoredContentThenFinalFrameWithImage(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let first = try f.wecom.postAndOpen(WeComSimulator.text(msgID: "m-refresh-1", content: "画一张图"))
        let streamID = try #require(first.stream["id"] as? String)
        try f.stack.sql("UPDATE streams SET content = '第一段回答', state = 'streaming' WHERE id = '\(streamID)'")
        let partial = try f.wecom.postAndOpen(WeComSimulator.refresh(streamID: streamID))
        #expect(partial.stream["content"] as? String == "第一段回答")
        #expect(partial.stream["finish"] as? Bool == false)
        #expect(partial.stream["msg_item"] == nil)

        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("fake-image-payload-0123".utf8)
        let md5 = Digest.md5Hex(png)
        let hex = png.map { String(format: "%02x", $0) }.joined()
        try f.stack.sql("""
            BEGIN; INSERT INTO stream_images(stream_id, position, md5, bytes, data) VALUES ('\(streamID)', 0, '\(md5)', \(png.count), \(backend.blobLiteral(hex: hex)));
            UPDATE streams SET content = '完整回答', state = 'finished', finished = 1, finished_at = 1 WHERE id = '\(streamID)'; COMMIT;
            """)
        let final = try f.wecom.postAndOpen(WeComSimulator.refresh(streamID: streamID))
        #expect(final.stream["finish"] as? Bool == true)
        #expect(final.stream["content"] as? String == "完整回答")
        let items = try #require(final.stream["msg_item"] as? [[String: Any]])
        #expect(items.count == 1)
        let image = try #require(items.first?["image"] as? [String: Any])
        let b64 = try #require(image["base64"] as? String)
        #expect(Data(base64Encoded: b64).map { [UInt8]($0) } == png)
        #expect(image["md5"] as? String == md5)
        #expect(Digest.md5Hex([UInt8](Data(base64Encoded: b64) ?? Data())) == image["md5"] as? String)
    }

    @Test(arguments: Backend.allCases) func unknownStreamIDFinishesWithANotice(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let reply = try f.wecom.postAndOpen(WeComSimulator.refresh(streamID: "s-never-issued"))
        #expect(reply.stream["id"] as? String == "s-never-issued")
        #expect(reply.stream["finish"] as? Bool == true)
        #expect((reply.stream["content"] as? String)?.isEmpty == false)
    }

    @Test(arguments: Backend.allCases) func enterChatWithoutWelcomeIsEmpty(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let response = try f.wecom.post(WeComSimulator.enterChat())
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    @Test(arguments: Backend.allCases) func enterChatWithAgentWelcome(_ backend: Backend) throws {
        let f = try Fixture(backend)
        try f.stack.sql("""
            INSERT INTO agents(id, name, dify_base_url, dify_api_key, welcome_text, created_at) VALUES ('a1', 'sales', 'http://127.0.0.1:9/v1', 'app-k', '欢迎使用销售助手', 0);
            INSERT INTO bots(botid, token, encoding_aes_key, receive_id, agent, created_at) VALUES ('welcomebot', '\(f.token)', '\(f.key)', '', 'sales', 0);
            """)
        let bot = try WeComSimulator(port: f.stack.port, botID: "welcomebot", token: f.token, key: f.key)
        let reply = try bot.postAndOpen(WeComSimulator.enterChat())
        #expect(reply["msgtype"] as? String == "text")
        #expect((reply["text"] as? [String: Any])?["content"] as? String == "欢迎使用销售助手")
    }

    @Test(arguments: Backend.allCases) func feedbackEventIsStoredOnce(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let json = WeComSimulator.feedback(msgID: "fb-1", id: "FEEDBACK1", type: 2, content: "答非所问")
        #expect(try f.wecom.post(json).body.isEmpty)
        #expect(try f.wecom.post(json).status == 200)
        #expect(try f.stack.sql("SELECT kind || '|' || reference || '|' || rating || '|' || detail || '|' || userid FROM feedback")
                == "feedback|FEEDBACK1|2|答非所问|lisi")
    }
}

/// Collects results from `DispatchQueue.concurrentPerform`, rethrowing the first failure.
final class ConcurrentResults<T>: @unchecked Sendable {
    private var slots: [Result<T, Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ body: () throws -> T) {
        let r = Result { try body() }
        lock.lock(); slots[i] = r; lock.unlock()
    }
    func values() throws -> [T] { try slots.map { try $0!.get() } }
}
