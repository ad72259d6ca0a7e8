import StrictBase64
import WeComCrypto
import WeComModel

/// The callbacks WeCom sends for one user in one chat: a text message, then stream refreshes.
struct SimulatedChat {
    let aibotID: String
    let userID: String
    /// A group chat id, or nil for a direct chat.
    let chatID: String?
    let responseURL: String?

    /// A text message with a fresh msgid.
    func text(_ content: String) -> (msgID: String, json: JSONValue) {
        let msgID = "wecomctl-" + SecureRandom.alphanumeric(20)
        var fields = common(msgID: msgID)
        fields["msgtype"] = "text"
        fields["text"] = ["content": .string(content)]
        if let responseURL { fields["response_url"] = .string(responseURL) }
        return (msgID, .object(fields))
    }

    /// A stream refresh (its own fresh msgid, as WeCom sends).
    func refresh(streamID: String) -> JSONValue {
        var fields = common(msgID: "wecomctl-r-" + SecureRandom.alphanumeric(20))
        fields["msgtype"] = "stream"
        fields["stream"] = ["id": .string(streamID)]
        return .object(fields)
    }

    private func common(msgID: String) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "msgid": .string(msgID), "aibotid": .string(aibotID), "from": ["userid": .string(userID)],
            "chattype": chatID == nil ? "single" : "group",
        ]
        if let chatID { fields["chatid"] = .string(chatID) }
        return fields
    }
}
