/// `quote`: the message the user quoted (docs/wecom-protocol.md §4.3.7); same sub-structures as a message body.
public struct Quote: Sendable, Equatable {
    /// `quote.msgtype` exactly as sent.
    public var msgType: String
    /// The quoted body.
    public var content: MessageContent

    public init(msgType: String, content: MessageContent) {
        self.msgType = msgType
        self.content = content
    }

    init(fields: FieldReader) throws {
        msgType = try fields.requiredString("msgtype")
        content = try MessageContent(msgType: msgType, in: fields)
    }
}
