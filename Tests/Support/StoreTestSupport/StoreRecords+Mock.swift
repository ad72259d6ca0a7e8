import BotStore

extension NewMessage {
    /// A text message from user `u1` in a single chat; only the ids vary between tests.
    public static func mock(msgID: String, streamID: String, aibotID: String = "aibot-1",
                            initialContent: String = "thinking…") -> NewMessage {
        NewMessage(botID: "bot-1", aibotID: aibotID, msgID: msgID, msgType: "text", chatID: nil,
                   chatType: "single", userID: "u1", agent: "default", proposedStreamID: streamID,
                   initialContent: initialContent, responseURL: "https://example.invalid/response/\(msgID)",
                   payload: #"{"msgid":"\#(msgID)","msgtype":"text","text":{"content":"hi"}}"#)
    }
}

extension NewMessage {
    /// A text message that came over bot `botID`'s long connection in the frame `reqID`.
    public static func mockLongConnection(msgID: String, streamID: String, reqID: String,
                                          botID: String = "bot-1") -> NewMessage {
        var message = NewMessage.mock(msgID: msgID, streamID: streamID, aibotID: botID)
        message.botID = botID
        message.responseURL = nil
        message.reqID = reqID
        return message
    }
}

extension StoredEvent {
    public static func mockFeedback(msgID: String, rating: Int? = 1) -> StoredEvent {
        StoredEvent(kind: .feedback, botID: "bot-1", aibotID: "aibot-1", msgID: msgID, userID: "u1",
                    reference: "fb-1", rating: rating, detail: "great", payload: #"{"id":"fb-1","type":1}"#)
    }
}

/// A valid 1×1 PNG and its lowercase hex MD5.
public enum Fixtures {
    public static let png: [UInt8] = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
        0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
        0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
        0x44, 0xae, 0x42, 0x60, 0x82,
    ]
    public static let pngMD5 = "ee76702403cd15dbc71587365494cbe5"
}
