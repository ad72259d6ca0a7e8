/// A passive reply: the plaintext JSON that is encrypted into the HTTP response (docs/wecom-protocol.md §5.2).
public enum Reply: Sendable, Equatable {
    /// `{"msgtype":"text","text":{"content":…}}`: only valid as the answer to `enter_chat`.
    case text(String)
    /// `{"msgtype":"stream","stream":{…}}`: the answer to messages and stream refreshes.
    case stream(StreamReply)
    /// `{"msgtype":"template_card","template_card":{…}}`, the card passed through unchanged.
    case templateCard(JSONValue)
    /// No bytes at all: answer HTTP 200 with an empty body, unencrypted (docs/wecom-protocol.md §5.4).
    case empty

    /// The plaintext as a JSON value; nil for `.empty`.
    public var jsonValue: JSONValue? {
        switch self {
        case let .text(content):
            return ["msgtype": "text", "text": ["content": .string(content)]]
        case let .stream(stream):
            return ["msgtype": "stream", "stream": stream.jsonValue]
        case let .templateCard(card):
            return ["msgtype": "template_card", "template_card": card]
        case .empty:
            return nil
        }
    }

    /// Compact JSON with sorted keys and unescaped slashes; `[]` for `.empty`.
    public func jsonBytes() -> [UInt8] {
        guard case let .stream(stream) = self else { return jsonValue?.jsonBytes() ?? [] }
        var out: [UInt8] = []
        out.reserveCapacity(stream.content.utf8.count + 96)
        out.append(contentsOf: #"{"msgtype":"stream","stream":"#.utf8)
        stream.appendJSON(to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
