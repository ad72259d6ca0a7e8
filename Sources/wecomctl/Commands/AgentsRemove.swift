import ArgumentParser

struct AgentsRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an agent, by id or name.",
        discussion: """
        Bots that still name it are answered by the default agent (DIFY_API_BASE_URL), or get \
        a failure notice when there is none, until they are changed (`bots add BOTID … --agent OTHER`).

        Example:
          wecomctl agents remove sales
        """)

    @Argument(help: "The agent's id or name.")
    var agent: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, _, _) = try database.openStore(create: false)
        defer { store.close() }
        guard let record = try store.agent(idOrName: agent) else { throw CommandFailure("no agent \(agent)") }
        try store.removeAgent(idOrName: record.id)
        Console.out("removed agent \(record.id) (\(record.name))")
        let users = try store.bots().filter { $0.agent == record.id || $0.agent == record.name }.map(\.botID)
        if !users.isEmpty { Console.error("warning: bots still naming it: \(users.joined(separator: ", "))") }
    }
}
