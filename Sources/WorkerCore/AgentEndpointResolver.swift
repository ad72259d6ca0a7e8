import BotConfig
import BotStore
import DifyClient
import WeComCrypto

/// Finds, for a claimed job, the Dify app to call and the bot's key for decrypting media.
struct AgentEndpointResolver {
    let configuration: Configuration
    let stores: StorePool<any BotStore>

    struct Agent {
        /// The conversation key's agent part: the agent's id, "default", or "echo".
        var key: String
        /// The Dify app; nil for the built-in echo agent.
        var endpoint: DifyAgentEndpoint?
    }

    /// The agent's stored record, else the default Dify app, else the built-in echo agent
    /// when `WECOM_ECHO_AGENT=1`, else nil.
    func agent(for reference: String?) throws -> Agent? {
        if let reference, let record = try stores.withStore({ try $0.agent(idOrName: reference) }) {
            return Agent(key: record.id, endpoint: DifyAgentEndpoint(baseURL: record.difyBaseURL, apiKey: record.difyAPIKey))
        }
        if let base = configuration.difyBaseURL, let key = configuration.difyAPIKey {
            return Agent(key: "default", endpoint: DifyAgentEndpoint(baseURL: base, apiKey: key))
        }
        return configuration.echoAgent ? Agent(key: "echo", endpoint: nil) : nil
    }

    /// The bot's EncodingAESKey, which decrypts a callback's media; nil for a bot without
    /// callback credentials (long-connection media carry keys of their own).
    func mediaKey(botID: String) throws -> AESKey? {
        if let bot = try stores.withStore({ try $0.bot(id: botID) }) {
            return bot.hasCallbackCredentials ? try AESKey(encodingAESKey: bot.encodingAESKey) : nil
        }
        return try configuration.encodingAESKey.map { try AESKey(encodingAESKey: $0) }
    }
}
