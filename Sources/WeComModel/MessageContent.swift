/// The body of a callback, chosen by its `msgtype` (docs/wecom-protocol.md §4.3, §4.5).
public enum MessageContent: Sendable, Equatable {
    /// `text.content`; in groups it still contains the `@BotName` mention (see `Mention`).
    case text(String)
    /// `image.url`: encrypted bytes behind a 5-minute URL; `image.aeskey`, the URL's own key, in
    /// long-connection mode (nil in callback mode: the bot's key decrypts it).
    case image(url: String, aesKey: String? = nil)
    /// `mixed.msg_item`, in order.
    case mixed([MixedItem])
    /// `voice.content`: WeCom's ASR transcript (no audio in webhook mode).
    case voice(String)
    /// `file.url` and, in long-connection mode, `file.aeskey` (as for `image`).
    case file(url: String, aesKey: String? = nil)
    /// `video.url` and, in long-connection mode, `video.aeskey` (as for `image`).
    case video(url: String, aesKey: String? = nil)
    /// msgtype `stream`: a refresh poll for the stream we opened, `stream.id`.
    case streamRefresh(id: String)
    /// msgtype `event`.
    case event(Event)
    /// Any other msgtype; never fails to decode.
    case unknown(msgType: String)
}

/// One element of `mixed.msg_item`.
public enum MixedItem: Sendable, Equatable {
    /// `text.content`
    case text(String)
    /// `image.url` and, in long-connection mode, `image.aeskey`.
    case image(url: String, aesKey: String? = nil)
    /// An item of another msgtype, named here.
    case unknown(String)
}

extension MessageContent {
    /// Reads the body named by `msgType` from the object that carries it (message or quote).
    init(msgType: String, in fields: FieldReader) throws {
        switch msgType {
        case "text":
            self = .text(try fields.requiredObject("text").requiredString("content"))
        case "image":
            self = try Self.media(fields.requiredObject("image"), MessageContent.image)
        case "mixed":
            self = .mixed(try Self.mixedItems(fields.requiredObject("mixed")))
        case "voice":
            self = .voice(try fields.requiredObject("voice").requiredString("content"))
        case "file":
            self = try Self.media(fields.requiredObject("file"), MessageContent.file)
        case "video":
            self = try Self.media(fields.requiredObject("video"), MessageContent.video)
        case "stream":
            self = .streamRefresh(id: try fields.requiredObject("stream").requiredString("id"))
        case "event":
            self = .event(try Event(fields: fields.requiredObject("event")))
        default:
            self = .unknown(msgType: msgType)
        }
    }

    /// A media struct: its `url`, and its `aeskey` when it has one.
    private static func media<T>(_ media: FieldReader, _ make: (String, String?) -> T) throws -> T {
        make(try media.requiredString("url"), try media.string("aeskey"))
    }

    private static func mixedItems(_ mixed: FieldReader) throws -> [MixedItem] {
        guard let (path, elements) = mixed.list("msg_item") else {
            throw WeComModelError.malformed("\(mixed.fieldPath("msg_item")): missing")
        }
        return try elements.enumerated().map { index, element in
            let item = try FieldReader(element, path: "\(path)[\(index)]")
            let type = try item.requiredString("msgtype")
            switch type {
            case "text": return .text(try item.requiredObject("text").requiredString("content"))
            case "image": return try media(item.requiredObject("image"), MixedItem.image)
            default: return .unknown(type)
            }
        }
    }
}
