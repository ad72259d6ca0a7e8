/// A bot's long-connection BotID and secret (docs/wecom-protocol.md §8.1).
///
/// The secret appears only in the `aibot_subscribe` frame's body: `description` and the mirror
/// (`dump`, `String(reflecting:)`) show the BotID alone.
public struct BotCredentials: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public let botID: String
    public let secret: String

    public init(botID: String, secret: String) {
        self.botID = botID
        self.secret = secret
    }

    public var description: String { "BotCredentials(botID: \(botID))" }

    public var customMirror: Mirror { Mirror(self, children: ["botID": botID]) }
}
