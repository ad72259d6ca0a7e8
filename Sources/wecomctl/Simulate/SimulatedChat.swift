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

/// One `stream` reply frame.
struct StreamFrame {
    let id: String
    let content: String
    let finish: Bool
    /// `msg_item` images: base64 and md5.
    let images: [(base64: String, md5: String)]

    init(reply: JSONValue, step: String) throws {
        guard reply["msgtype"]?.stringValue == "stream", let stream = reply["stream"],
              let id = stream["id"]?.stringValue else {
            throw CommandFailure("\(step): the reply is not a stream frame: "
                                 + Formatting.excerpt(String(decoding: reply.jsonBytes(), as: UTF8.self), 120))
        }
        self.id = id
        content = stream["content"]?.stringValue ?? ""
        finish = stream["finish"]?.boolValue ?? false
        images = (stream["msg_item"]?.arrayValue ?? []).map { item in
            (item["image"]?["base64"]?.stringValue ?? "", item["image"]?["md5"]?.stringValue ?? "")
        }
    }

    /// Images whose base64 does not decode or whose md5 does not match (WeCom would refuse them).
    var badImages: [Int] {
        images.indices.filter { index in
            guard let bytes = Base64.decode(images[index].base64) else { return true }
            return Digest.md5Hex(bytes) != images[index].md5.lowercased()
        }
    }
}
