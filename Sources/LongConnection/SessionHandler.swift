/// A change of a session's connection, for status and the store.
public enum SessionEvent: Sendable, Equatable {
    /// Connected and subscribed: callbacks flow and `send` works.
    case subscribed
    /// Not connected (the attempt failed, the subscription was refused, or the connection ended);
    /// the next attempt starts after `retryIn`.
    case down(LongConnectionError, retryIn: Duration)
    /// WeCom sent `disconnected_event`: another client subscribed as this bot. The session closed
    /// the connection and ended; it does not reconnect (that would start a replace loop).
    case takenOver
}

/// What a `BotSession` hands on. Calls come from the session's tasks; `received` is called for
/// one frame at a time, in arrival order, and may take its time and call `send`: the session
/// reads acks meanwhile.
public protocol SessionHandler: Sendable {
    /// An `aibot_msg_callback` or `aibot_event_callback` (other than `disconnected_event`).
    func session(_ session: BotSession, received frame: Frame) async
    func session(_ session: BotSession, changed event: SessionEvent) async
}

/// How `BotSession.run` ended.
public enum SessionEnd: Sendable, Equatable {
    /// `disconnected_event`: see `SessionEvent.takenOver`.
    case takenOver
    /// The task running the session was cancelled.
    case stopped
}
