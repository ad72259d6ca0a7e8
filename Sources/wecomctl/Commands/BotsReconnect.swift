import ArgumentParser

struct BotsReconnect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconnect",
        abstract: "Let wecom-ws connect a bot again after another client took its long connection.",
        discussion: """
        WeCom keeps one long connection per bot. When a client outside this deployment \
        subscribes the same bot (another bridge, a developer's test), WeCom hands the bot to \
        it and tells wecom-ws, which closes its connection and marks the bot "taken over" so \
        that no wecom-ws reconnects it: two clients taking turns would push each other out \
        without end. `wecomctl status` shows the mark.

        Stop the other client first, then run this: it clears the mark, and wecom-ws connects \
        the bot again at its next attempt. A bot that was not taken over is left as it is \
        (exit status 0 either way); a botid that is no long-connection bot exits with 1.

        Example:
          wecomctl bots reconnect aibXXXX
        """)

    @Argument(help: "The bot's BotID.")
    var botID: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, _, config) = try database.openStore(create: false)
        defer { store.close() }
        if try store.clearTakenOver(botID: botID, now: Formatting.now) {
            Console.out("bot \(botID): taken-over mark cleared; wecom-ws connects it again at its next attempt")
            return
        }
        let listed = try store.connectionStatuses(now: Formatting.now).contains { $0.botID == botID }
        let mode = BotMode.of(botID, row: try store.bot(id: botID), config: config)
        guard listed || mode?.hasLongConnection == true else {
            throw CommandFailure(mode == .callback ? "bot \(botID) is in callback mode: it has no long connection"
                                                   : "no long-connection bot \(botID) (see `wecomctl bots list`)")
        }
        Console.out("bot \(botID) is not taken over: nothing to clear")
    }
}
