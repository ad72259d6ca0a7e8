import JSONCore

/// A command frame: `{"cmd":…,"headers":{"req_id":…},"body":{…}}` (docs/wecom-protocol.md §8.1),
/// either pushed by WeCom (a callback) or sent by the bot (a request that WeCom acknowledges).
///
/// `description` names the command and `req_id` only: a body can hold a secret (`aibot_subscribe`)
/// or a user's message, and neither belongs in a log line.
public struct Frame: Sendable, Equatable, CustomStringConvertible {
    public var command: FrameCommand
    /// The request id: ours for a request we originate, the callback's for a reply to it.
    public var reqID: String
    /// The body, nil for a frame without one (`ping`).
    public var body: JSONValue?

    public init(command: FrameCommand, reqID: String, body: JSONValue? = nil) {
        self.command = command
        self.reqID = reqID
        self.body = body
    }

    public var description: String { "\(command) req_id=\(reqID)" }

    /// An `aibot_event_callback` whose event is `disconnected_event`: another client subscribed
    /// as this bot and took the connection over (§8.1).
    public var isDisconnectedEvent: Bool {
        command == .eventCallback && body?["event"]?["eventtype"]?.stringValue == "disconnected_event"
    }
}
