import BotStore

/// The bot a message came for, as the intake needs it: the id its rows and records are keyed by
/// (the `<botid>` of the callback URL, or the BotID of a long connection) and its bots row, nil
/// for the default bot of the `WECOM_*` settings, which needs none.
public struct IntakeBot: Sendable, Equatable {
    public var id: String
    public var record: BotRecord?

    public init(id: String, record: BotRecord?) {
        self.id = id
        self.record = record
    }
}
