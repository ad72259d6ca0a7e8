import BotConfig
import BotStore
import StoreTestSupport
import Testing
import WeComModel
@testable import MessageIntake

/// Long-connection callbacks through the intake, on a real database of each backend: the body of
/// an `aibot_msg_callback` takes the callback's path into the store, with the frame's `req_id`.
@Suite struct LongConnectionIntakeTests {
    static let now: Int64 = 1_700_000_000
    static let botID = "aibWS"

    static func intake(_ store: any BotStore, _ values: [String: String] = [:]) throws -> MessageIntake {
        var all = ["WECOM_BOT_ID": botID, "WECOM_BOT_SECRET": "ws-Secret-1", "WECOM_THINKING_TEXT": "思考中…"]
        all.merge(values) { _, new in new }
        return MessageIntake(configuration: try Configuration(values: all), store: store, now: { now })
    }

    static func body(_ json: String) throws -> JSONValue {
        try JSONValue.parse(Array(json.utf8))
    }

    /// A direct text message as WeCom pushes it (with a response_url, as real frames have).
    static func text(_ content: String, msgID: String = "m1") throws -> JSONValue {
        try body(#"""
            {"msgid":"\#(msgID)","aibotid":"\#(botID)","chattype":"single","from":{"userid":"zhangsan"},
             "response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=C1",
             "msgtype":"text","text":{"content":"\#(content)"}}
            """#)
    }

    static func accepted(_ outcome: IntakeOutcome) throws -> AcceptedMessage {
        guard case let .accepted(accepted) = outcome else { throw UnexpectedOutcome(outcome: outcome) }
        return accepted
    }

    struct UnexpectedOutcome: Error { let outcome: IntakeOutcome }

    @Test(arguments: Backend.allCases)
    func aTextMessageOpensOneStreamAndOneJobAndARedeliveryNeither(_ backend: Backend) throws {
        try withStore(backend) { store, _ in
            let intake = try Self.intake(store)
            let bot = try #require(try intake.longConnectionBot(id: Self.botID))
            let first = try Self.accepted(try intake.takeLongConnectionCallback(body: try Self.text("你好"), reqID: "R1", bot: bot))
            #expect(first.isNew)
            #expect(first.stream.content == "思考中…" && !first.stream.finished)
            // After a reconnect WeCom delivers the same msgid again, under another req_id.
            let again = try Self.accepted(try intake.takeLongConnectionCallback(body: try Self.text("你好"), reqID: "R2", bot: bot))
            #expect(!again.isNew)
            #expect(again.stream.id == first.stream.id)
            #expect(try store.count("jobs", where: "1 = 1") == 1)

            let job = try #require(try store.claimJob(owner: "w1", now: Self.now, lease: 30))
            #expect(job.streamID == first.stream.id)
            #expect(job.botID == Self.botID && job.aibotID == Self.botID && job.userID == "zhangsan")
            #expect(job.responseURL == nil, "wecom-ws sends what the stream cannot carry; the worker must not post it")
            let payload = try JobPayload(decoding: job.payload)
            #expect(payload.text == "你好")
            #expect(payload.message.msgID == "m1")

            // The stream is the holder's to push, with the first frame's req_id.
            guard case .acquired = try store.acquireConnection(botID: Self.botID, holder: "h1", now: Self.now, lease: 30) else {
                Issue.record("the lease of a free bot was not acquired")
                return
            }
            let streams = try store.longConnectionStreams(holder: "h1", windowStartedBefore: Self.now - 360, now: Self.now)
            #expect(streams.map(\.streamID) == [first.stream.id])
            #expect(streams.map(\.reqID) == ["R1"])
        }
    }

    @Test(arguments: Backend.allCases)
    func feedbackAndCardEventsAreStoredOnce(_ backend: Backend) throws {
        try withStore(backend) { store, _ in
            let intake = try Self.intake(store)
            let bot = try #require(try intake.longConnectionBot(id: Self.botID))
            let feedback = try Self.body(#"""
                {"msgid":"e1","aibotid":"\#(Self.botID)","from":{"userid":"zhangsan"},"msgtype":"event","create_time":1700000000,
                 "event":{"eventtype":"feedback_event","feedback_event":{"id":"FB1","type":2,"content":"不准确"}}}
                """#)
            let card = try Self.body(#"""
                {"msgid":"e2","aibotid":"\#(Self.botID)","from":{"userid":"lisi"},"msgtype":"event",
                 "event":{"eventtype":"template_card_event","template_card_event":{"card_type":"button_interaction",
                  "event_key":"approve","task_id":"T1"}}}
                """#)
            #expect(try intake.takeLongConnectionCallback(body: feedback, reqID: "R1", bot: bot) == .eventRecorded(isNew: true))
            #expect(try intake.takeLongConnectionCallback(body: feedback, reqID: "R1", bot: bot) == .eventRecorded(isNew: false))
            #expect(try intake.takeLongConnectionCallback(body: card, reqID: "R2", bot: bot) == .eventRecorded(isNew: true))
            #expect(try store.count("feedback", where: "kind = 'feedback' AND botid = 'aibWS' AND reference = 'FB1' AND rating = 2") == 1)
            #expect(try store.count("feedback", where: "kind = 'template_card' AND userid = 'lisi' AND detail = 'approve'") == 1)
            #expect(try store.count("jobs", where: "1 = 1") == 0)
        }
    }

    @Test func groupTextLosesTheBotsNameAndKeepsItsChat() throws {
        try withStore(.sqlite) { store, _ in
            let intake = try Self.intake(store, ["WECOM_BOT_NAME": "小助手"])
            let bot = try #require(try intake.longConnectionBot(id: Self.botID))
            let body = try Self.body(#"""
                {"msgid":"g1","aibotid":"\#(Self.botID)","chatid":"wrCHAT","chattype":"group","from":{"userid":"lisi"},
                 "msgtype":"text","text":{"content":"@小助手 帮我查一下"}}
                """#)
            _ = try Self.accepted(try intake.takeLongConnectionCallback(body: body, reqID: "R1", bot: bot))
            let job = try #require(try store.claimJob(owner: "w1", now: Self.now, lease: 30))
            #expect(job.chatID == "wrCHAT")
            #expect(try JobPayload(decoding: job.payload).text == "帮我查一下")
        }
    }

    /// The worker finds each media URL's key in the job's payload.
    @Test func mediaKeepTheirKeysForTheWorker() throws {
        try withStore(.sqlite) { store, _ in
            let intake = try Self.intake(store)
            let bot = try #require(try intake.longConnectionBot(id: Self.botID))
            let body = try Self.body(#"""
                {"msgid":"i1","aibotid":"\#(Self.botID)","chattype":"single","from":{"userid":"zhangsan"},
                 "msgtype":"image","image":{"url":"https://cos.example.com/i?sign=1","aeskey":"KEY1"}}
                """#)
            _ = try Self.accepted(try intake.takeLongConnectionCallback(body: body, reqID: "R1", bot: bot))
            let job = try #require(try store.claimJob(owner: "w1", now: Self.now, lease: 30))
            let payload = try JobPayload(decoding: job.payload)
            #expect(payload.message.content == .image(url: "https://cos.example.com/i?sign=1", aesKey: "KEY1"))
            #expect(payload.text == nil)
        }
    }

    @Test func aBodyWithoutMsgIDIsKeyedByItsReqID() throws {
        try withStore(.sqlite) { store, _ in
            let intake = try Self.intake(store)
            let bot = try #require(try intake.longConnectionBot(id: Self.botID))
            let body = try Self.body(#"""
                {"aibotid":"\#(Self.botID)","chattype":"single","from":{"userid":"zhangsan"},"msgtype":"text","text":{"content":"hi"}}
                """#)
            let first = try Self.accepted(try intake.takeLongConnectionCallback(body: body, reqID: "R7", bot: bot))
            let again = try Self.accepted(try intake.takeLongConnectionCallback(body: body, reqID: "R7", bot: bot))
            #expect(first.isNew && !again.isNew && again.stream.id == first.stream.id)
            #expect(try store.count("messages", where: "msgid = 'R7'") == 1)
            let job = try #require(try store.claimJob(owner: "w1", now: Self.now, lease: 30))
            #expect(try JobPayload(decoding: job.payload).message.msgID == "R7")
        }
    }

    @Test func aBodyThatIsNoMessageIsRefusedWithNothingWritten() throws {
        try withStore(.sqlite) { store, _ in
            let intake = try Self.intake(store)
            let bot = try #require(try intake.longConnectionBot(id: Self.botID))
            #expect(throws: IntakeError.malformed("not a JSON object")) {
                try intake.takeLongConnectionCallback(body: nil, reqID: "R1", bot: bot)
            }
            #expect(throws: IntakeError.malformed("not a JSON object")) {
                try intake.takeLongConnectionCallback(body: .string("x"), reqID: "R1", bot: bot)
            }
            #expect(throws: IntakeError.malformed("msgtype: missing")) {
                try intake.takeLongConnectionCallback(body: try Self.body(#"{"msgid":"m","text":{"content":"x"}}"#), reqID: "R1", bot: bot)
            }
            #expect(try store.count("messages", where: "1 = 1") == 0)
        }
    }

    /// The welcome rules of callback mode: the agent's text, else `WECOM_WELCOME_TEXT`, else none.
    @Test func enterChatGetsTheWelcomeOfCallbackMode() throws {
        try withStore(.sqlite) { store, _ in
            let enter = try Self.body(#"""
                {"msgid":"w1","aibotid":"\#(Self.botID)","from":{"userid":"zhangsan"},"msgtype":"event","create_time":1700000000,
                 "event":{"eventtype":"enter_chat"}}
                """#)
            let plain = try Self.intake(store)
            let bot = try #require(try plain.longConnectionBot(id: Self.botID))
            #expect(try plain.takeLongConnectionCallback(body: enter, reqID: "R1", bot: bot) == .noReply)

            let configured = try Self.intake(store, ["WECOM_WELCOME_TEXT": "你好，我是助手"])
            #expect(try configured.takeLongConnectionCallback(body: enter, reqID: "R2", bot: bot) == .welcome("你好，我是助手"))

            try store.saveAgent(AgentRecord(id: "ag1", name: "helper", difyBaseURL: "http://127.0.0.1:9/v1", difyAPIKey: "app-x",
                                            welcomeText: "欢迎使用 helper"))
            try store.saveBot(BotRecord(botID: Self.botID, token: "", encodingAESKey: "", agent: "helper", wsSecret: "ws-Secret-1"))
            let withAgent = try Self.intake(store, ["WECOM_WELCOME_TEXT": "你好，我是助手"])
            let rowBot = try #require(try withAgent.longConnectionBot(id: Self.botID))
            #expect(try withAgent.takeLongConnectionCallback(body: enter, reqID: "R3", bot: rowBot) == .welcome("欢迎使用 helper"))
            #expect(try store.count("messages", where: "1 = 1") == 0)
        }
    }

    /// As the callback handler treats the default bot of `WECOM_TOKEN`: the default BotID needs
    /// no row; any other BotID needs a row with a long-connection secret.
    @Test func longConnectionBotsAreTheRowsWithASecretAndTheDefault() throws {
        try withStore(.sqlite) { store, _ in
            try store.saveBot(BotRecord(botID: "aibROW", token: "", encodingAESKey: "", agent: "a1", wsSecret: "s"))
            try store.saveBot(BotRecord(botID: "aibCALLBACK", token: "t", encodingAESKey: String(repeating: "a", count: 43)))
            let intake = try Self.intake(store)
            #expect(try intake.longConnectionBot(id: Self.botID) == IntakeBot(id: Self.botID, record: nil))
            let row = try #require(try store.bot(id: "aibROW"))
            #expect(try intake.longConnectionBot(id: "aibROW") == IntakeBot(id: "aibROW", record: row))
            #expect(try intake.longConnectionBot(id: "aibCALLBACK") == nil)
            #expect(try intake.longConnectionBot(id: "aibUNKNOWN") == nil)

            // A row of the default BotID without a secret still names its agent.
            try store.saveBot(BotRecord(botID: Self.botID, token: "t", encodingAESKey: String(repeating: "b", count: 43), agent: "a2"))
            let fresh = try Self.intake(store)
            #expect(try fresh.longConnectionBot(id: Self.botID)?.record?.agent == "a2")

            let noDefault = MessageIntake(configuration: try Configuration(values: [:]), store: store, now: { Self.now })
            #expect(try noDefault.longConnectionBot(id: Self.botID) == nil)
            #expect(try noDefault.longConnectionBot(id: "aibROW") != nil)
        }
    }

    /// A callback keeps its response_url for the worker's late delivery; the intake's stream ids
    /// and agent choice are the same in both modes.
    @Test func aCallbackMessageKeepsItsResponseURL() throws {
        try withStore(.sqlite) { store, _ in
            let intake = try Self.intake(store, ["WECOM_AIBOT_AGENT_MAPPING": #"{"aibCB":"mapped"}"#])
            let raw = Array(#"""
                {"msgid":"c1","aibotid":"aibCB","chattype":"single","from":{"userid":"u"},"response_url":"https://x/r",
                 "msgtype":"text","text":{"content":"hi"}}
                """#.utf8)
            let outcome = try intake.take(try InboundMessage.decode(raw), raw: raw, bot: IntakeBot(id: "aibCB", record: nil))
            #expect(try Self.accepted(outcome).isNew)
            let job = try #require(try store.claimJob(owner: "w1", now: Self.now, lease: 30))
            #expect(job.responseURL == "https://x/r")
            #expect(job.agent == "mapped")
            #expect(try store.count("ws_streams", where: "1 = 1") == 0)
        }
    }
}
