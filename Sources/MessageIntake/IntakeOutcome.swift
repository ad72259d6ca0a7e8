import BotStore

/// What the intake made of a message or event, for the caller to answer it in its own mode.
public enum IntakeOutcome: Sendable, Equatable {
    /// A user message: its stream, opened now (`isNew`: its job was queued, wake the workers) or
    /// by its first delivery (a redelivery queues nothing).
    case accepted(AcceptedMessage)
    /// `enter_chat` with a welcome text to send (never empty).
    case welcome(String)
    /// A `feedback_event` or `template_card_event`, stored; `isNew` is false for a redelivery.
    case eventRecorded(isNew: Bool)
    /// A callback-mode poll of the stream `id` (msgtype `stream`); the intake reads nothing for it.
    case streamRefresh(id: String)
    /// Nothing to store or answer: `enter_chat` without a welcome text, an unknown msgtype or event.
    case noReply
}
