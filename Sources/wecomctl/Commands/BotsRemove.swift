import ArgumentParser

struct BotsRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a bot. Its callbacks then use the default credentials, if any; a wecom-ws holding its long connection drops it.",
        discussion: """
        Example:
          wecomctl bots remove aibXXXX
        """)

    @Argument(help: "The botid.")
    var botID: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, _, _) = try database.openStore(create: false)
        defer { store.close() }
        guard try store.removeBot(id: botID) else { throw CommandFailure("no bot \(botID)") }
        Console.out("removed bot \(botID)")
    }
}
