/// The passive answer to a `template_card_event` (docs/wecom-protocol.md §5.2 `update_template_card`):
/// `{"response_type":"update_template_card","userids":[…],"template_card":{…}}`.
/// Must be sent within 5 s; the card's `task_id` must equal the event's.
public struct TemplateCardUpdate: Sendable, Equatable {
    /// Whose card to replace; nil replaces it for everyone involved (`userids` omitted).
    public var userIDs: [String]?
    /// The replacement card, passed through unchanged.
    public var card: JSONValue

    public init(userIDs: [String]? = nil, card: JSONValue) {
        self.userIDs = userIDs
        self.card = card
    }

    /// The reply as a JSON value.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "response_type": "update_template_card",
            "template_card": card,
        ]
        if let userIDs {
            object["userids"] = .array(userIDs.map(JSONValue.string))
        }
        return .object(object)
    }

    /// Compact JSON with sorted keys and unescaped slashes.
    public func jsonBytes() -> [UInt8] {
        jsonValue.jsonBytes()
    }
}
