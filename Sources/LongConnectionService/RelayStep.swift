import BotStore

/// What to do next for one long-connection stream, as ``StreamRelay`` decides it; each step that
/// sends records `then` once WeCom acknowledged it.
enum RelayStep: Sendable, Equatable {
    /// An `aibot_respond_msg` stream frame with the stream's `req_id` and id.
    case frame(content: String, finish: Bool, then: PushUpdate)
    /// An `aibot_send_msg` markdown message to the stream's conversation: part of an answer the
    /// frames could not carry.
    case sendText(String, then: PushUpdate)
    /// The `index`th image of the finished stream, uploaded, then sent by `media_id`.
    case sendImage(index: Int, then: PushUpdate)
    /// Nothing to send, only the state to record (everything went out).
    case record(PushUpdate)
    /// Nothing to do now.
    case wait
}
