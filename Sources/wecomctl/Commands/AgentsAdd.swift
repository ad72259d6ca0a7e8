import ArgumentParser
import BotStore
import Foundation

struct AgentsAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an agent (a Dify app), or update the agent with this id.",
        discussion: """
        --base-url is the app's API base, ending in /v1; --api-key is the app's API key \
        (app-…). On update, options left out keep their value; pass an empty string to clear \
        --welcome or --bot-name.

        Examples:
          wecomctl agents add sales --name 销售助手 \\
            --base-url http://dify.internal/v1 --api-key app-xxxx \\
            --welcome "你好，我是销售助手"
          wecomctl agents add sales --name 销售助手 \\
            --base-url http://dify.internal/v1 --api-key app-new    # new key
        """)

    @Argument(help: "The agent id: 1–64 letters, digits, '_', '-' or '.'.")
    var id: String

    @Option(help: "A unique name; bots and WECOM_AIBOT_AGENT_MAPPING may use it instead of the id.")
    var name: String

    @Option(name: .customLong("base-url"), help: "The Dify API base URL, e.g. https://dify.example.com/v1.")
    var baseURL: String

    @Option(name: .customLong("api-key"), help: "The Dify app's API key.")
    var apiKey: String

    @Option(help: "The enter_chat welcome text.")
    var welcome: String?

    @Option(name: .customLong("bot-name"), help: "The @name of bots using this agent (when the bot has none).")
    var botName: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard Identifier.isValidAgentID(id) else {
            throw ValidationError("agent id '\(id)' must be 1–64 letters, digits, '_', '-' or '.'")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty") }
        guard let url = URLComponents(string: baseURL), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host?.isEmpty == false, url.query == nil else {
            throw ValidationError("--base-url must be an absolute http:// or https:// URL without a query")
        }
        guard !apiKey.isEmpty, !apiKey.contains(where: \.isWhitespace) else {
            throw ValidationError("--api-key must be non-empty, without spaces")
        }
    }

    func run() throws {
        let (store, _, _) = try database.openStore(create: true)
        defer { store.close() }
        let existing = try store.agents().first { $0.id == id }
        if let other = try store.agent(idOrName: name), other.id != id, other.name == name {
            throw CommandFailure("the name '\(name)' is already used by agent \(other.id)")
        }
        let agent = AgentRecord(id: id, name: name,
                                difyBaseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL,
                                difyAPIKey: apiKey,
                                welcomeText: BotsAdd.keepOrClear(welcome, existing?.welcomeText),
                                botName: BotsAdd.keepOrClear(botName.map(BotsAdd.withoutAt), existing?.botName),
                                createdAt: existing?.createdAt ?? Formatting.now)
        try store.saveAgent(agent)
        Console.out("\(existing == nil ? "added" : "updated") agent \(id) (\(name))")
    }
}
