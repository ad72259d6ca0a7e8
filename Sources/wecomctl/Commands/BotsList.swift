import ArgumentParser

struct BotsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the bots. Tokens and keys are never shown.",
        discussion: """
        Example:
          wecomctl bots list
        """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, _, config) = try database.openStore(create: false)
        defer { store.close() }
        let bots = try store.bots()
        if bots.isEmpty {
            Console.out("no bots in the database")
        } else {
            var table = TextTable("BOTID", "AGENT", "@NAME", "RECEIVE_ID", "CREDENTIALS", "CREATED")
            for bot in bots {
                table.add(bot.botID, bot.agent ?? "(default)", bot.botName ?? "-",
                          bot.receiveID.isEmpty ? "-" : bot.receiveID, "set", Formatting.localTime(bot.createdAt))
            }
            Console.out(table.rendered)
        }
        Console.out("other botids: default credentials (WECOM_TOKEN, WECOM_ENCODING_AES_KEY) "
                    + (config.hasDefaultBot ? "set" : "not set"))
    }
}
