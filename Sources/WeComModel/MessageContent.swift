/// The body of a callback, chosen by its `msgtype` (docs/wecom-protocol.md §4.3, §4.5).
public enum MessageContent: Sendable, Equatable {
    /// `text.content`; in groups it still contains the `@BotName` mention (see `Mention`).
    case text(String)
    /// `image.url`: encrypted bytes behind a 5-minute URL.
    case image(url: String)
    /// `mixed.msg_item`, in order.
    case mixed([MixedItem])
    /// `voice.content`: WeCom's ASR transcript (no audio in webhook mode).
    case voice(String)
    /// `file.url`: encrypted bytes behind a 5-minute URL.
    case file(url: String)
    /// `video.url`: encrypted bytes behind a 5-minute URL.
    case video(url: String)
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
    /// `image.url`
    case image(url: String)
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
            self = .image(url: try fields.requiredObject("image").requiredString("url"))
        case "mixed":
            self = .mixed(try Self.mixedItems(fields.requiredObject("mixed")))
        case "voice":
            self = .voice(try fields.requiredObject("voice").requiredString("content"))
        case "file":
            self = .file(url: try fields.requiredObject("file").requiredString("url"))
        case "video":
            self = .video(url: try fields.requiredObject("video").requiredString("url"))
        case "stream":
            self = .streamRefresh(id: try fields.requiredObject("stream").requiredString("id"))
        case "event":
            self = .event(try Event(fields: fields.requiredObject("event")))
        default:
            self = .unknown(msgType: msgType)
        }
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
            case "image": return .image(url: try item.requiredObject("image").requiredString("url"))
            default: return .unknown(type)
            }
        }
    }
}
