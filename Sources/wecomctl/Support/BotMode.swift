import BotConfig
import BotStore

/// How WeCom reaches a bot: callbacks to `/wecom/callback/<botid>`, the long connection
/// `wecom-ws` holds, or both (the admin console allows one at a time; a row may carry both sets
/// of credentials while an operator switches).
enum BotMode: String {
    case callback
    case longConnection = "long-connection"
    case both

    /// A bots row's mode; nil for a row without credentials (no command writes one).
    init?(_ bot: BotRecord) {
        switch (bot.hasCallbackCredentials, bot.isLongConnection) {
        case (true, true): self = .both
        case (true, false): self = .callback
        case (false, true): self = .longConnection
        case (false, false): return nil
        }
    }

    /// The mode of `botID`: its bots row, else the defaults of the configuration
    /// (`WECOM_BOT_ID` with `WECOM_BOT_SECRET` for the default long-connection bot,
    /// `WECOM_TOKEN` and `WECOM_ENCODING_AES_KEY` for any other botid's callbacks); nil when
    /// nothing knows it.
    static func of(_ botID: String, row: BotRecord?, config: Configuration) -> BotMode? {
        let isDefaultLongConnection = config.hasDefaultLongConnectionBot && config.botID == botID
        if let row, let mode = BotMode(row) {
            return isDefaultLongConnection && mode == .callback ? .both : mode
        }
        if isDefaultLongConnection { return config.hasDefaultBot ? .both : .longConnection }
        return config.hasDefaultBot ? .callback : nil
    }

    var hasLongConnection: Bool { self != .callback }
}
