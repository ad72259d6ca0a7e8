import ArgumentParser
import BotStore
import Foundation
import WeComCrypto

struct BotsAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a bot, or update the bot with this botid.",
        discussion: """
        A bot uses callback mode, long-connection mode, or both (while you switch it in the \
        admin console):

        Callback mode: BOTID is the last part of the callback URL, \
        https://your.host/wecom/callback/BOTID; using the bot's aibotid keeps things simple. \
        --token and --aes-key are the Token and EncodingAESKey from the bot's API settings in \
        the WeCom admin console (run `wecomctl gen-key` for fresh ones).

        Long-connection mode: BOTID is the bot's BotID and the secret its long-connection \
        Secret, both from the admin console; wecom-ws connects the bot out to WeCom. Prefer \
        --ws-secret-file (a file holding the secret, a trailing newline is ignored) to \
        --ws-secret: command lines are visible in `ps` and shell history.

        On update, options left out keep their value; pass an empty string to clear one (a bot \
        keeps at least one mode).

        Examples:
          wecomctl bots add aibXXXX --token TOKEN --aes-key KEY43CHARS \\
            --agent sales --name 销售助手
          wecomctl bots add aibXXXX --token NEW --aes-key NEWKEY43   # keeps the agent
          wecomctl bots add aibYYYY --ws-secret-file /etc/wecom-bot/aibYYYY.secret
          wecomctl bots add aibXXXX --token "" --aes-key ""           # long connection only now
        """)

    /// Longer secrets are not what the admin console hands out.
    static let maxSecretBytes = 256

    @Argument(help: "The botid: 1–64 letters, digits, '_' or '-'.")
    var botID: String

    @Option(help: "The bot's Token (callback mode).")
    var token: String?

    @Option(name: .customLong("aes-key"), help: "The bot's EncodingAESKey, 43 characters (callback mode).")
    var aesKey: String?

    @Option(name: .customLong("ws-secret"), help: "The bot's long-connection Secret (long-connection mode).")
    var wsSecret: String?

    @Option(name: .customLong("ws-secret-file"),
            help: ArgumentHelp("A file holding the long-connection Secret, kept out of `ps`.", valueName: "path"))
    var wsSecretFile: String?

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
        guard (token == nil) == (aesKey == nil), (token?.isEmpty ?? true) == (aesKey?.isEmpty ?? true) else {
            throw ValidationError("--token and --aes-key go together (both empty to clear them)")
        }
        if let token, !token.isEmpty {
            guard token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw ValidationError("--token must be letters and digits")
            }
        }
        if let aesKey, !aesKey.isEmpty {
            do {
                _ = try AESKey(encodingAESKey: aesKey)
            } catch let WeComCryptoError.illegalAESKey(reason) {
                throw ValidationError("--aes-key: \(reason)")
            }
        }
        guard wsSecret == nil || wsSecretFile == nil else {
            throw ValidationError("give --ws-secret or --ws-secret-file, not both")
        }
        if let wsSecret, !wsSecret.isEmpty { try Self.checkSecret(wsSecret, option: "--ws-secret") }
    }

    func run() throws {
        let secret = try wsSecretFile.map(Self.readSecret) ?? wsSecret
        let (store, _, _) = try database.openStore(create: true)
        defer { store.close() }
        let existing = try store.bot(id: botID)
        let bot = BotRecord(botID: botID, token: token ?? existing?.token ?? "",
                            encodingAESKey: aesKey ?? existing?.encodingAESKey ?? "",
                            receiveID: receiveID ?? existing?.receiveID ?? "",
                            agent: Self.keepOrClear(agent, existing?.agent),
                            botName: Self.keepOrClear(name.map(Self.withoutAt), existing?.botName),
                            wsSecret: Self.keepOrClear(secret, existing?.wsSecret),
                            createdAt: existing?.createdAt ?? Formatting.now)
        guard let mode = BotMode(bot) else {
            throw CommandFailure(existing == nil
                ? "bot \(botID) needs callback credentials (--token and --aes-key), a long-connection secret "
                    + "(--ws-secret-file or --ws-secret), or both"
                : "bot \(botID) would be left without callback credentials and without a long-connection secret; "
                    + "remove it with `wecomctl bots remove \(botID)` instead", exitCode: ExitCode.validationFailure.rawValue)
        }
        if let reference = bot.agent, try store.agent(idOrName: reference) == nil {
            Console.error("warning: no agent '\(reference)' yet: the default agent answers until you add it "
                          + "(`wecomctl agents add`)")
        }
        try store.saveBot(bot)
        Console.out("\(existing == nil ? "added" : "updated") bot \(botID) (\(mode.rawValue))")
    }

    /// The content of `path` without surrounding whitespace, checked as ``checkSecret(_:option:)``.
    static func readSecret(from path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("--ws-secret-file: cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("--ws-secret-file: \(path) is not UTF-8 text")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw CommandFailure("--ws-secret-file: \(path) is empty") }
        try checkSecret(secret, option: "--ws-secret-file")
        return secret
    }

    /// Printable ASCII without spaces, as the admin console's secrets are; the message never
    /// quotes the secret.
    static func checkSecret(_ secret: String, option: String) throws {
        guard secret.utf8.count <= maxSecretBytes, secret.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ValidationError("\(option): the secret must be at most \(maxSecretBytes) printable ASCII characters "
                                  + "without spaces")
        }
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
