import WeComModel

/// A job payload read back: the callback as WeCom sent it and the text with the bot's
/// @name already removed by the responder.
public struct QueuedMessage: Sendable, Equatable {
    public var message: InboundMessage
    public var text: String?

    public init(message: InboundMessage, text: String?) {
        self.message = message
        self.text = text
    }

    public init(payload: String) throws {
        // The payload wraps the callback in one more object than the responder checked.
        let json = try JSONValue.parse(Array(payload.utf8), depthLimit: JSONValue.maxDepth + 1)
        guard let raw = json["message"] else { throw WeComModelError.malformed("job payload: message missing") }
        message = try InboundMessage(json: raw)
        text = json["text"]?.stringValue
    }

    /// Media URLs to fetch, in message order (images of mixed messages, a file, a video).
    public var mediaURLs: [String] {
        switch message.content {
        case let .image(url), let .file(url), let .video(url): return [url]
        case let .mixed(items):
            return items.compactMap { if case let .image(url) = $0 { return url } else { return nil } }
        default: return []
        }
    }

    /// The query for Dify: the user's text, with quoted content as context; a media-only
    /// message gets a short prompt, since Dify rejects an empty query.
    public var query: String {
        var parts: [String] = []
        if let quote = message.quote, let quoted = Self.describe(quote.content) {
            parts.append("> 引用：\(quoted)")
        }
        let body = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !body.isEmpty {
            parts.append(body)
        } else if !mediaURLs.isEmpty {
            parts.append(Self.isImageOnly(message.content) ? "请看这张图片。" : "请看这个文件。")
        }
        return parts.joined(separator: "\n\n")
    }

    private static func isImageOnly(_ content: MessageContent) -> Bool {
        switch content {
        case .image, .mixed: return true
        default: return false
        }
    }

    private static func describe(_ content: MessageContent) -> String? {
        switch content {
        case let .text(t), let .voice(t): return t
        case let .mixed(items):
            let texts = items.compactMap { if case let .text(t) = $0 { return t } else { return nil } }
            return texts.isEmpty ? "[图文消息]" : texts.joined(separator: " ")
        case .image: return "[图片]"
        case .file: return "[文件]"
        case .video: return "[视频]"
        default: return nil
        }
    }
}
