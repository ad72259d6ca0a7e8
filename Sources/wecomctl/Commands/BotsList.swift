import ArgumentParser

struct BotsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the bots and their mode. Tokens, keys and secrets are never shown.",
        discussion: """
        MODE is callback, long-connection or both (see `wecomctl bots add --help`).

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
            var table = TextTable("BOTID", "MODE", "AGENT", "@NAME", "RECEIVE_ID", "CREATED")
            for bot in bots {
                table.add(bot.botID, BotMode(bot)?.rawValue ?? "-", bot.agent ?? "(default)", bot.botName ?? "-",
                          bot.receiveID.isEmpty ? "-" : bot.receiveID, Formatting.localTime(bot.createdAt))
            }
            Console.out(table.rendered)
        }
        Console.out("other botids: default credentials (WECOM_TOKEN, WECOM_ENCODING_AES_KEY) "
                    + (config.hasDefaultBot ? "set" : "not set"))
        Console.out("default long-connection bot (WECOM_BOT_ID, WECOM_BOT_SECRET): "
                    + (config.hasDefaultLongConnectionBot ? config.botID ?? "" : "not set"))
    }
}
