import BotConfig
import BotStore
import WeComCrypto

/// Finds a bot's credentials, its agent and its @name: the bots table first, then the
/// `WECOM_*` defaults. Crypto objects are cached per credential set, and bots rows (or their
/// absence) for the rest of the clock's second, so a `wecomctl bots` change applies within a
/// second while a busy responder reads the table at most once a second per bot.
final class BotResolver {
    struct Bot {
        var id: String
        var crypto: WeComCrypto
        var record: BotRecord?
    }

    private let configuration: Configuration
    private let store: BotStore
    private let now: () -> Int64
    private var cryptoCache: [String: WeComCrypto] = [:]
    private var rowCache: [String: (second: Int64, record: BotRecord?)] = [:]

    init(configuration: Configuration, store: BotStore, now: @escaping () -> Int64) {
        self.configuration = configuration
        self.store = store
        self.now = now
    }

    /// The bot for the URL's botid, or a 404 when neither the table nor the defaults know it, or
    /// its row has no callback credentials (a bot in long-connection mode only).
    func bot(id: String) throws -> Bot {
        if let record = try row(id: id) {
            guard record.hasCallbackCredentials else { throw Rejection.notFound("bot \(id) has no callback credentials") }
            return Bot(id: id, crypto: try crypto(token: record.token, key: record.encodingAESKey, receiveID: record.receiveID),
                       record: record)
        }
        guard let token = configuration.token, let key = configuration.encodingAESKey else {
            throw Rejection.notFound("unknown bot \(id)")
        }
        return Bot(id: id, crypto: try crypto(token: token, key: key, receiveID: configuration.receiveID), record: nil)
    }

    /// The agent (id or name) for a decrypted payload: the bots row of its aibotid, the URL
    /// bot's row, `WECOM_AIBOT_AGENT_MAPPING`, else nil for the default agent.
    func agentReference(aibotID: String, bot: Bot) throws -> String? {
        if !aibotID.isEmpty, aibotID != bot.id, let row = try row(id: aibotID), let agent = row.agent {
            return agent
        }
        if let agent = bot.record?.agent { return agent }
        return configuration.agentMapping[aibotID]
    }

    /// The agent's stored record, when the reference names one.
    func agentRecord(_ reference: String?) throws -> AgentRecord? {
        guard let reference else { return nil }
        return try store.agent(idOrName: reference)
    }

    /// The @name users type for this bot in groups.
    func botName(bot: Bot, agent: AgentRecord?) -> String? {
        bot.record?.botName ?? agent?.botName ?? configuration.botName
    }

    /// The `enter_chat` welcome text, or nil for an empty reply.
    func welcomeText(agent: AgentRecord?) -> String? {
        agent?.welcomeText ?? configuration.welcomeText
    }

    /// The bots row, read again once the clock's second has changed.
    private func row(id: String) throws -> BotRecord? {
        let second = now()
        if let cached = rowCache[id], cached.second == second { return cached.record }
        let record = try store.bot(id: id)
        if rowCache.count >= 1024 { rowCache.removeAll() }
        rowCache[id] = (second, record)
        return record
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
