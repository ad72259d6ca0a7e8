import ArgumentParser

struct AgentsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the agents. API keys are never shown.",
        discussion: """
        Example:
          wecomctl agents list
        """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, _, config) = try database.openStore(create: false)
        defer { store.close() }
        let agents = try store.agents()
        if agents.isEmpty {
            Console.out("no agents in the database")
        } else {
            var table = TextTable("ID", "NAME", "BASE_URL", "API_KEY", "@NAME", "WELCOME", "CREATED")
            for agent in agents {
                table.add(agent.id, agent.name, Formatting.hostAndPath(agent.difyBaseURL), "set", agent.botName ?? "-",
                          agent.welcomeText.map { Formatting.excerpt($0, 24) } ?? "-", Formatting.localTime(agent.createdAt))
            }
            Console.out(table.rendered)
        }
        let fallback = config.difyBaseURL.map { "DIFY_API_BASE_URL \(Formatting.hostAndPath($0))" } ?? "not configured"
        Console.out("default agent: \(fallback)")
    }
}
