import BotStore
import WeComModel

/// What the worker makes of a job payload: the media to fetch and the query for Dify.
extension JobPayload {
    /// Media to fetch, in message order (images of mixed messages, a file, a video).
    public var media: [MediaSource] {
        switch message.content {
        case let .image(url, key), let .file(url, key), let .video(url, key): return [MediaSource(url: url, aesKey: key)]
        case let .mixed(items):
            return items.compactMap { if case let .image(url, key) = $0 { MediaSource(url: url, aesKey: key) } else { nil } }
        default: return []
        }
    }

    /// The URLs of ``media``.
    public var mediaURLs: [String] { media.map(\.url) }

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
