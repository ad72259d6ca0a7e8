import BotStore
import WeComModel

/// The long-connection side of the intake (docs/wecom-protocol.md §8.2): the body of an
/// `aibot_msg_callback` or `aibot_event_callback` is the JSON of a callback message, in plain
/// text, so it takes the same path as a decrypted callback, with the frame's `req_id`.
extension MessageIntake {
    /// The long-connection bot `id` (a BotID) as the intake keys it: its bots row when that has a
    /// long-connection secret, or the default bot of `WECOM_BOT_ID`, which needs no row (a row
    /// of that id without a secret still gives it its agent and @name). Nil for any other id.
    public func longConnectionBot(id: String) throws -> IntakeBot? {
        let record = try rows.row(id: id)
        if record?.isLongConnection == true || (configuration.hasDefaultLongConnectionBot && configuration.botID == id) {
            return IntakeBot(id: id, record: record)
        }
        return nil
    }

    /// Takes a long-connection callback's body: a user message is accepted with `reqID` on its
    /// job and stream (the stream `wecom-ws` pushes; a redelivery, also after a reconnect and
    /// under another `req_id`, finds the first stream and queues nothing), an event is stored or
    /// answered as in callback mode. A body without a msgid is keyed by its `req_id`.
    ///
    /// - Throws: ``IntakeError/malformed(_:)`` for a body that is not a message (nothing is
    ///   written), or the store's error.
    public func takeLongConnectionCallback(body: JSONValue?, reqID: String, bot: IntakeBot) throws -> IntakeOutcome {
        guard case var .object(members)? = body else { throw IntakeError.malformed("not a JSON object") }
        switch members["msgid"] {
        case nil, .null?, .string("")?: members["msgid"] = .string(reqID)
        default: break
        }
        let json = JSONValue.object(members)
        let message: InboundMessage
        do {
            message = try InboundMessage(json: json)
        } catch let WeComModelError.malformed(reason) {
            throw IntakeError.malformed(reason)
        }
        return try take(message, raw: json.jsonBytes(), bot: bot, reqID: reqID)
    }
}
