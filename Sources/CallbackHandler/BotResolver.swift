import BotConfig
import BotStore
import MessageIntake
import WeComCrypto

/// Finds a bot's callback credentials: the bots table first, then the `WECOM_*` defaults.
/// Crypto objects are cached per credential set; rows come through the handler's ``BotRows``,
/// which the intake reads too.
final class BotResolver {
    struct Bot {
        var id: String
        var crypto: WeComCrypto
        var record: BotRecord?

        /// The bot as the intake keys it.
        var intakeBot: IntakeBot { IntakeBot(id: id, record: record) }
    }

    private let configuration: Configuration
    private let rows: BotRows
    private var cryptoCache: [String: WeComCrypto] = [:]

    init(configuration: Configuration, rows: BotRows) {
        self.configuration = configuration
        self.rows = rows
    }

    /// The bot for the URL's botid, or a 404 when neither the table nor the defaults know it, or
    /// its row has no callback credentials (a bot in long-connection mode only).
    func bot(id: String) throws -> Bot {
        if let record = try rows.row(id: id) {
            guard record.hasCallbackCredentials else { throw Rejection.notFound("bot \(id) has no callback credentials", .unknownBot) }
            return Bot(id: id, crypto: try crypto(token: record.token, key: record.encodingAESKey, receiveID: record.receiveID),
                       record: record)
        }
        guard let token = configuration.token, let key = configuration.encodingAESKey else {
            throw Rejection.notFound("unknown bot \(id)", .unknownBot)
        }
        return Bot(id: id, crypto: try crypto(token: token, key: key, receiveID: configuration.receiveID), record: nil)
    }

    private func crypto(token: String, key: String, receiveID: String) throws -> WeComCrypto {
        let cacheKey = token + "\u{0}" + key + "\u{0}" + receiveID
        if let cached = cryptoCache[cacheKey] { return cached }
        do {
            let crypto = try WeComCrypto(token: token, encodingAESKey: key, receiveID: receiveID)
            if cryptoCache.count > 256 { cryptoCache.removeAll() }
            cryptoCache[cacheKey] = crypto
            return crypto
        } catch {
            throw Rejection.internalError("bot credentials are invalid: \(error)")
        }
    }
}

@available(*, unavailable) extension BotResolver: Sendable {}
