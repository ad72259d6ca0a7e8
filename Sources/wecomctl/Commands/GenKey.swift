import ArgumentParser
import WeComCrypto

struct GenKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-key",
        abstract: "Print a new Token and EncodingAESKey as .env lines.",
        discussion: """
        Both are random: a 32-character token and a 43-character key of letters and digits \
        (decoding to a 32-byte AES key), the same shape as the WeCom admin console makes. \
        Enter them in the bot's API settings too, or use them with `wecomctl bots add`. Needs \
        no configuration or database.

        Examples:
          wecomctl gen-key >> .env
          wecomctl gen-key > local-bot.env && . ./local-bot.env
        """)

    func run() throws {
        Console.out("WECOM_TOKEN=\(SecureRandom.alphanumeric(32))")
        Console.out("WECOM_ENCODING_AES_KEY=\(EncodingAESKeyGenerator.make())")
    }
}
