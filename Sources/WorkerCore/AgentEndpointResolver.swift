import BotConfig
import BotStore
import DifyClient
import WeComCrypto

/// Finds, for a claimed job, the Dify app to call and the bot's key for decrypting media.
struct AgentEndpointResolver {
    let configuration: Configuration
    let store: BotStore

    struct Agent {
        /// The conversation key's agent part: the agent's id, or "default".
        var key: String
        var endpoint: DifyAgentEndpoint
    }

    func agent(for reference: String?) throws -> Agent? {
        if let reference, let record = try store.agent(idOrName: reference) {
            return Agent(key: record.id, endpoint: DifyAgentEndpoint(baseURL: record.difyBaseURL, apiKey: record.difyAPIKey))
        }
        guard let base = configuration.difyBaseURL, let key = configuration.difyAPIKey else { return nil }
        return Agent(key: "default", endpoint: DifyAgentEndpoint(baseURL: base, apiKey: key))
    }

    func crypto(botID: String) throws -> WeComCrypto? {
        if let bot = try store.bot(id: botID) {
            return try WeComCrypto(token: bot.token, encodingAESKey: bot.encodingAESKey, receiveID: bot.receiveID)
        }
        guard let token = configuration.token, let key = configuration.encodingAESKey else { return nil }
        return try WeComCrypto(token: token, encodingAESKey: key, receiveID: configuration.receiveID)
    }
}
