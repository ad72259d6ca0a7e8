import ArgumentParser
import BotStore
import WeComCrypto

struct BotsAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a bot, or update the bot with this botid.",
        discussion: """
        BOTID is the last part of the callback URL, https://your.host/wecom/callback/BOTID; using \
        the bot's aibotid keeps things simple. --token and --aes-key are the Token and \
        EncodingAESKey from the bot's API settings in the WeCom admin console (run \
        `wecomctl gen-key` for fresh ones). On update, options left out keep their value; pass \
        an empty string to clear one. Command lines are visible in `ps` and shell history: \
        prefer a private terminal.

        Examples:
          wecomctl bots add aibXXXX --token TOKEN --aes-key KEY43CHARS \\
            --agent sales --name 销售助手
          wecomctl bots add aibXXXX --token NEW --aes-key NEWKEY43   # keeps the agent
        """)

    @Argument(help: "The botid: 1–64 letters, digits, '_' or '-'.")
    var botID: String

    @Option(help: "The bot's Token.")
    var token: String

    @Option(name: .customLong("aes-key"), help: "The bot's EncodingAESKey (43 characters).")
    var aesKey: String

    @Option(name: .customLong("receive-id"), help: "The receiveid checked on decrypt; AI bots use none.")
    var receiveID: String?

    @Option(help: "The agent (id or name) that answers this bot; default: the mapping, else the default agent.")
    var agent: String?

    @Option(help: "The bot's @name in group chats, removed from the text sent to Dify.")
    var name: String?

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard Identifier.isValidBotID(botID) else {
            throw ValidationError("botid '\(botID)' must be 1–64 letters, digits, '_' or '-'")
        }
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ValidationError("--token must be letters and digits")
        }
        do {
            _ = try AESKey(encodingAESKey: aesKey)
        } catch let WeComCryptoError.illegalAESKey(reason) {
            throw ValidationError("--aes-key: \(reason)")
        }
    }

    func run() throws {
        let (store, _, _) = try database.openStore(create: true)
        defer { store.close() }
        let existing = try store.bot(id: botID)
        let bot = BotRecord(botID: botID, token: token, encodingAESKey: aesKey,
                            receiveID: receiveID ?? existing?.receiveID ?? "",
                            agent: Self.keepOrClear(agent, existing?.agent),
                            botName: Self.keepOrClear(name.map(Self.withoutAt), existing?.botName),
                            createdAt: existing?.createdAt ?? Formatting.now)
        if let reference = bot.agent, try store.agent(idOrName: reference) == nil {
            Console.error("warning: no agent '\(reference)' yet: the default agent answers until you add it "
                          + "(`wecomctl agents add`)")
        }
        try store.saveBot(bot)
        Console.out("\(existing == nil ? "added" : "updated") bot \(botID)")
    }

    /// nil keeps `old`; an empty string clears it.
    static func keepOrClear(_ new: String?, _ old: String?) -> String? {
        guard let new else { return old }
        return new.isEmpty ? nil : new
    }

    /// `@销售助手` and `销售助手` mean the same name.
    static func withoutAt(_ name: String) -> String {
        name.hasPrefix("@") ? String(name.dropFirst()) : name
    }
}
