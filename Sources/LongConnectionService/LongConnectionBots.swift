import BotStore
import LongConnection

/// The bots this deployment connects out: every bots row with a long-connection secret, and the
/// default bot of `WECOM_BOT_ID`/`WECOM_BOT_SECRET` unless a row of the same BotID has a secret
/// of its own (the row is what `wecomctl` manages, so it wins).
enum LongConnectionBots {
    static func wanted(in store: any BotStore, defaultBot: BotCredentials?) throws -> [BotCredentials] {
        var bots = try store.bots().compactMap { record in
            record.wsSecret.map { BotCredentials(botID: record.botID, secret: $0) }
        }
        if let defaultBot, !bots.contains(where: { $0.botID == defaultBot.botID }) {
            bots.append(defaultBot)
        }
        return bots.sorted { $0.botID < $1.botID }
    }
}
