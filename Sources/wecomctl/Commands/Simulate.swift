import ArgumentParser
import Foundation
import StoreFactory
import WeComCrypto

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Act as WeCom against a callback URL: verify it, send a message, poll until the answer finishes.",
        discussion: """
        1. GET URL verification with a fresh echostr: the body must be its plaintext.
        2. POST an encrypted text message (fresh msgid, aibotid = the URL's botid); the reply \
        envelope's signature and nonce are checked and it must open a stream.
        3. Refresh the stream every --interval seconds, like WeCom, printing the answer to \
        stdout as it grows; progress and the outcome go to stderr.
        Exit status 0 when the stream finishes (finish:true), 1 on a refusal, a bad reply or \
        the timeout.

        Credentials: --token and --aes-key; else the bots row for the URL's botid in the \
        database (if the file exists); else WECOM_TOKEN and WECOM_ENCODING_AES_KEY. Without \
        --response-url the message has none, so an answer later than the stream deadline is \
        not delivered anywhere but the database.

        Examples:
          wecomctl simulate http://127.0.0.1:15000/wecom/callback/local --text "你好"
          wecomctl simulate https://bot.example.com/wecom/callback/aibXXXX \\
            --text "hi" --chat wrGROUP --timeout 60
        """)

    @Argument(help: "The callback URL, ending in /wecom/callback/<botid>.")
    var url: String

    @Option(help: "The message text.")
    var text: String

    @Option(help: "The bot's Token (default: see Credentials above).")
    var token: String?

    @Option(name: .customLong("aes-key"), help: "The bot's EncodingAESKey (default: see Credentials above).")
    var aesKey: String?

    @Option(name: .customLong("receive-id"), help: "The receiveid to encrypt with (AI bots: none).")
    var receiveID: String?

    @Option(help: "The sender's userid.")
    var user = "wecomctl"

    @Option(help: "Send in this group chat (chatid) instead of a direct chat.")
    var chat: String?

    @Option(name: .customLong("response-url"), help: "The message's response_url (default: none).")
    var responseURL: String?

    @Option(help: "Seconds to wait for finish:true (WeCom itself gives up after 360).")
    var timeout: Double = 360

    @Option(help: "Seconds between stream refreshes (WeCom: 1).")
    var interval: Double = 1

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (token == nil) == (aesKey == nil) else { throw ValidationError("pass --token and --aes-key together") }
        if let aesKey {
            do {
                _ = try AESKey(encodingAESKey: aesKey)
            } catch let WeComCryptoError.illegalAESKey(reason) {
                throw ValidationError("--aes-key: \(reason)")
            }
        }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard interval >= 0.01, interval.isFinite else { throw ValidationError("--interval must be at least 0.01 seconds") }
        guard !user.isEmpty else { throw ValidationError("--user must not be empty") }
    }

    func run() async throws {
        let target = try CallbackTarget(url)
        let (token, key, receiveID, source) = try credentials(botID: target.botID)
        Console.error("credentials: \(source)")
        let client = try CallbackClient(target: target, token: token, key: key, receiveID: receiveID)
        try await client.verify()
        Console.error("URL verified: \(target.endpoint) answered the echostr plaintext")

        let chat = SimulatedChat(aibotID: target.botID, userID: user, chatID: chat, responseURL: responseURL)
        let (msgID, message) = chat.text(text)
        let first = try ReceivedFrame(reply: try await client.post(message, step: "sending the message"), step: "sending the message")
        Console.error("message \(msgID) accepted: stream \(first.id)" + (first.content.isEmpty ? "" : " (first frame: \(Formatting.excerpt(first.content, 40)))"))
        var printer = AnswerPrinter()
        do {
            let final = first.finish ? first : try await poll(client, chat: chat, streamID: first.id, printer: &printer)
            printer.show(final.content)
            printer.end()
            try report(final, since: first)
        } catch {
            if !printer.printed.isEmpty { printer.end() }
            throw error
        }
    }

    /// Refreshes until a frame has finish:true, printing the content as it grows.
    private func poll(_ client: CallbackClient, chat: SimulatedChat, streamID: String,
                      printer: inout AnswerPrinter) async throws -> ReceivedFrame {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(timeout)
        var polls = 0
        while clock.now < deadline {
            try await Task.sleep(for: .seconds(interval))
            polls += 1
            let frame = try ReceivedFrame(reply: try await client.post(chat.refresh(streamID: streamID), step: "refresh \(polls)"),
                                        step: "refresh \(polls)")
            if frame.finish { return frame }
            printer.show(frame.content)
        }
        throw CommandFailure("timed out after \(Formatting.age(Int64(timeout))) (\(polls) refreshes) without finish:true; "
                             + "is a wecom-worker running? see `wecomctl status`")
    }

    private func report(_ final: ReceivedFrame, since first: ReceivedFrame) throws {
        guard final.id == first.id else { throw CommandFailure("the final frame is for stream \(final.id), not \(first.id)") }
        if !final.images.isEmpty {
            let bad = final.badImages
            guard bad.isEmpty else {
                throw CommandFailure("finished, but image(s) \(bad.map { String($0 + 1) }.joined(separator: ", ")) "
                                     + "have a bad base64 or md5")
            }
            Console.error("\(final.images.count) image(s), md5 checked")
        }
        Console.error("finished: \(final.content.count) characters")
    }

    /// The bot's credentials and where they came from.
    private func credentials(botID: String) throws -> (String, String, String, String) {
        if let token, let aesKey { return (token, aesKey, receiveID ?? "", "from the command line") }
        let config = try database.configuration()
        let backend = try StoreFactory.backend(for: config)
        if (try? backend.exists()) == true, let store = try? backend.openStore() {
            defer { store.close() }
            if let bot = try? store.bot(id: botID) {
                return (bot.token, bot.encodingAESKey, receiveID ?? bot.receiveID, "bot \(botID) in \(backend)")
            }
        }
        if let token = config.token, let key = config.encodingAESKey {
            return (token, key, receiveID ?? config.receiveID, "WECOM_TOKEN and WECOM_ENCODING_AES_KEY")
        }
        throw CommandFailure("no credentials for bot \(botID): pass --token and --aes-key, add the bot "
                             + "(`wecomctl bots add`), or set WECOM_TOKEN and WECOM_ENCODING_AES_KEY")
    }
}
