import ArgumentParser

struct Bots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage bots: callback credentials, long-connection secrets.",
        discussion: """
        A bot in callback mode has the Token and EncodingAESKey of its /wecom/callback/<botid>; \
        a botid without a row here uses the default credentials WECOM_TOKEN and \
        WECOM_ENCODING_AES_KEY; with neither, the callback answers 404. A bot in long-connection \
        mode has its long-connection secret here (or is the default bot of WECOM_BOT_ID and \
        WECOM_BOT_SECRET), and wecom-ws connects it out to WeCom.
        """,
        subcommands: [BotsAdd.self, BotsList.self, BotsRemove.self, BotsReconnect.self])
}

/// Rules for the identifiers operators type.
enum Identifier {
    /// 1–64 of `[A-Za-z0-9_-]`: what the callback route accepts as `<botid>`.
    static func isValidBotID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { isWordByte($0) }
    }

    /// 1–64 of `[A-Za-z0-9_.-]`: agent ids (the original service used numbers such as "1").
    static func isValidAgentID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") }
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }
}
