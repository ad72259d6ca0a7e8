import Foundation

/// One decrypted message or event callback (docs/wecom-protocol.md §4.2–§4.5).
public struct InboundMessage: Sendable, Equatable {
    /// `msgid`: opaque, unique per callback; the dedupe key. Required.
    public var msgID: String
    /// `aibotid`: the bot this callback is for; `""` when absent.
    public var aibotID: String
    /// `chatid`: only in group chats.
    public var chatID: String?
    /// `chattype`: absent on some events (the `enter_chat` example has none).
    public var chatType: ChatType?
    /// `from`: the sender; user id `""` when absent.
    public var from: Sender
    /// `response_url`: the one-shot active-reply URL (docs/wecom-protocol.md §6). A secret: never log it.
    public var responseURL: String?
    /// `create_time`: unix seconds, sent on events.
    public var createTime: Int?
    /// `msgtype` exactly as sent.
    public var msgType: String
    /// The body that `msgtype` names.
    public var content: MessageContent
    /// `quote`: the message the user quoted, if any.
    public var quote: Quote?

    public init(
        msgID: String, aibotID: String = "", chatID: String? = nil, chatType: ChatType? = nil,
        from: Sender = Sender(userID: ""), responseURL: String? = nil, createTime: Int? = nil,
        msgType: String, content: MessageContent, quote: Quote? = nil
    ) {
        self.msgID = msgID
        self.aibotID = aibotID
        self.chatID = chatID
        self.chatType = chatType
        self.from = from
        self.responseURL = responseURL
        self.createTime = createTime
        self.msgType = msgType
        self.content = content
        self.quote = quote
    }

    /// Decodes the decrypted callback plaintext.
    /// - Throws: `WeComModelError.malformed` for invalid or non-object JSON, a missing `msgid` or
    ///   `msgtype`, or a field of the wrong type in a known body. Unknown `msgtype`s never throw.
    public static func decode(_ json: [UInt8]) throws -> InboundMessage {
        try InboundMessage(json: JSONValue.parse(json))
    }

    /// Decodes an already parsed callback; same rules as `decode(_:)`.
    public init(json: JSONValue) throws {
        let fields = try FieldReader(json, path: "")
        msgID = try fields.requiredString("msgid")
        aibotID = try fields.string("aibotid") ?? ""
        chatID = try fields.string("chatid")
        chatType = try fields.string("chattype").map(ChatType.init(rawValue:))
        from = try fields.object("from").map(Sender.init(fields:)) ?? Sender(userID: "")
        responseURL = try fields.string("response_url")
        createTime = try fields.int("create_time")
        msgType = try fields.requiredString("msgtype")
        content = try MessageContent(msgType: msgType, in: fields)
        quote = try fields.object("quote").map(Quote.init(fields:))
    }
}
