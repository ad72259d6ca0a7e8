/// An active reply POSTed, unencrypted, to a callback's `response_url` (docs/wecom-protocol.md §6):
/// `{"msgtype":"markdown","markdown":{"content":…}}`. The URL accepts one call, within 1 hour.
public struct MarkdownMessage: Sendable, Equatable {
    /// Markdown text. Encoding truncates it to `StreamContent.maxBytes` on a scalar boundary.
    public var content: String
    /// `markdown.feedback.id`: enables `feedback_event`; omitted when nil.
    public var feedbackID: String?

    public init(content: String, feedbackID: String? = nil) {
        self.content = content
        self.feedbackID = feedbackID
    }

    /// The message as a JSON value.
    public var jsonValue: JSONValue {
        var markdown: [String: JSONValue] = ["content": .string(StreamContent.truncated(content))]
        if let feedbackID {
            markdown["feedback"] = ["id": .string(feedbackID)]
        }
        return ["msgtype": "markdown", "markdown": .object(markdown)]
    }

    /// Compact JSON with sorted keys and unescaped slashes.
    public func jsonBytes() -> [UInt8] {
        jsonValue.jsonBytes()
    }
}
