import ArgumentParser
import BotStore
import Foundation
import WeComModel

struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a markdown message from a long-connection bot to a user or a group.",
        discussion: """
        WeCom lets a bot write first only over its long connection, and only into a \
        conversation where a user has written to the bot: a direct chat with the user of --to, \
        or the group of --chat. The message is queued in the database; the wecom-ws process \
        holding the bot sends it (aibot_send_msg) and records WeCom's answer.

        By default the command waits for that answer and prints `sent` (exit status 0) or \
        `failed: errcode N (what it means)` (exit status 1). When no wecom-ws takes the message \
        within --timeout, it is withdrawn (exit status 1); when one is sending it as the time \
        runs out, the command says it may still arrive (exit status 1). With --no-wait it \
        prints the queued message's id and exits; the message goes out whenever wecom-ws \
        holds the bot (Ctrl-C while waiting leaves it queued the same way).

        A bot in callback mode is refused (exit status 2). Replies and messages together are \
        limited to 30 a minute and 1000 an hour per conversation.

        Examples:
          wecomctl send aibXXXX --to zhangsan --markdown "**提醒**：明天 10:00 例会"
          wecomctl send aibXXXX --chat wrkSFfCgAAxxxx --markdown "部署完成" --no-wait
        """)

    /// WeCom's limit for one `aibot_send_msg` markdown message, in UTF-8 bytes.
    static let maxMarkdownBytes = 20480

    @Argument(help: "The bot's BotID: a bots row with a long-connection secret, or WECOM_BOT_ID.")
    var botID: String

    @Option(name: .customLong("to"), help: ArgumentHelp("The user of a direct chat.", valueName: "userid"))
    var userID: String?

    @Option(name: .customLong("chat"), help: ArgumentHelp("The group chat.", valueName: "chatid"))
    var chatID: String?

    @Option(help: ArgumentHelp("The message in WeCom's markdown, at most 20480 bytes of UTF-8.", valueName: "text"))
    var markdown: String

    @Flag(name: .customLong("no-wait"), help: "Queue the message and exit without waiting for the outcome.")
    var noWait = false

    @Option(help: ArgumentHelp("How long to wait for the outcome.", valueName: "seconds"))
    var timeout: Double = 30

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard Identifier.isValidBotID(botID) else {
            throw ValidationError("botid '\(botID)' must be 1–64 letters, digits, '_' or '-'")
        }
        guard (userID == nil) != (chatID == nil) else { throw ValidationError("give either --to USERID or --chat CHATID") }
        guard let id = userID ?? chatID, !id.isEmpty, id.utf8.count <= 256,
              !id.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw ValidationError("\(userID == nil ? "--chat" : "--to") must be an id without spaces")
        }
        guard !markdown.isEmpty else { throw ValidationError("--markdown is empty") }
        let bytes = markdown.utf8.count
        guard bytes <= Self.maxMarkdownBytes else {
            throw ValidationError("--markdown is \(Formatting.count(bytes)) bytes of UTF-8; WeCom takes at most "
                                  + "\(Formatting.count(Self.maxMarkdownBytes)) in one message")
        }
        guard timeout.isFinite, timeout > 0, timeout <= 86400 else {
            throw ValidationError("--timeout must be more than 0 and at most 86400 seconds")
        }
    }

    func run() throws {
        let (store, _, config) = try database.openStore(create: false)
        defer { store.close() }
        switch BotMode.of(botID, row: try store.bot(id: botID), config: config) {
        case nil:
            throw CommandFailure("no bot \(botID): add it with `wecomctl bots add \(botID) --ws-secret-file FILE`")
        case .callback:
            throw CommandFailure("bot \(botID) is in callback mode: WeCom accepts messages a bot sends first only over "
                                 + "its long connection (`wecomctl bots add \(botID) --ws-secret-file FILE`)", exitCode: 2)
        case .longConnection, .both:
            break
        }
        let target: ChatTarget = userID.map(ChatTarget.user) ?? .group(chatID ?? "")
        let id = try store.queueOutbound(NewOutboundMessage(botID: botID, target: target, markdown: markdown),
                                         now: Formatting.now)
        guard !noWait else {
            Console.out("queued message \(id) for bot \(botID)")
            return
        }
        try waitForOutcome(of: id, in: store)
    }

    /// Reads the message every 100 ms until its outcome is final or `timeout` has passed; then
    /// withdraws it if no wecom-ws has taken it yet.
    private func waitForOutcome(of id: Int64, in store: any BotStore) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            guard let message = try store.outboundMessage(id: id) else {
                throw CommandFailure("message \(id) is no longer in the database")
            }
            if message.state.isFinal { return try report(message) }
            if ContinuousClock.now >= deadline { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let waited = "\(Formatting.seconds(timeout)) s"
        if try store.cancelOutbound(id: id, now: Formatting.now) {
            throw CommandFailure("not sent within \(waited), withdrawn: no wecom-ws took it (is one running with bot "
                                 + "\(botID)? see `wecomctl status`)")
        }
        if let message = try store.outboundMessage(id: id), message.state.isFinal { return try report(message) }
        throw CommandFailure("no outcome within \(waited): wecom-ws is sending message \(id), it may still arrive")
    }

    /// `sent`, or the failure and exit status 1.
    private func report(_ message: OutboundMessage) throws {
        switch message.state {
        case .sent:
            Console.out("sent")
        case .failed:
            Console.out("failed: " + Self.failure(errcode: message.errcode, errmsg: message.errmsg))
            throw ExitCode.failure
        default:
            Console.out(message.state.rawValue)
            throw ExitCode.failure
        }
    }

    /// `errcode 846607 (rate limited: …)`: the documented meaning, else WeCom's errmsg; without
    /// an errcode (no answer came), the recorded reason.
    static func failure(errcode: Int?, errmsg: String?) -> String {
        guard let errcode else { return errmsg ?? "no reason recorded" }
        let meaning = LongConnectionErrcode.meaning(errcode) ?? errmsg.flatMap { $0.isEmpty ? nil : $0 } ?? "undocumented"
        return "errcode \(errcode) (\(meaning))"
    }
}
