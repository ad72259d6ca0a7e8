/// `event`: the payload of a `msgtype:"event"` callback (docs/wecom-protocol.md §4.5), keyed by its `eventtype`.
public enum Event: Sendable, Equatable {
    /// The user opened the bot's DM for the first time today; answer with a welcome or nothing.
    case enterChat
    /// A click or submission on an interactive template card; answer within 5 s.
    case templateCard(TemplateCardEvent)
    /// A rating of a reply that carried a feedback id; answer empty.
    case feedback(FeedbackEvent)
    /// Any other event type (e.g. `disconnected_event`).
    case unknown(eventType: String)

    init(fields: FieldReader) throws {
        let type = try fields.requiredString("eventtype")
        switch type {
        case "enter_chat":
            self = .enterChat
        case "template_card_event":
            self = .templateCard(try TemplateCardEvent(fields: fields.requiredObject(type)))
        case "feedback_event":
            self = .feedback(try FeedbackEvent(fields: fields.requiredObject(type)))
        default:
            self = .unknown(eventType: type)
        }
    }
}
