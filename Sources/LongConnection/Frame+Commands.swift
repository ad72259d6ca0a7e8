import JSONCore
import WeComModel

/// The media kinds of an upload and of a reply or message by `media_id` (§8.3, §8.4).
public enum MediaType: String, Sendable {
    case image, voice, video, file
}

/// One constructor per command the bot sends (docs/wecom-protocol.md §8.1, §8.3, §8.4). A reply
/// takes the callback's `req_id`; every other request takes a fresh one from `RequestIDGenerator`.
extension Frame {
    public static func subscribe(reqID: String, credentials: BotCredentials) -> Frame {
        Frame(command: .subscribe, reqID: reqID,
              body: ["bot_id": .string(credentials.botID), "secret": .string(credentials.secret)])
    }

    public static func ping(reqID: String) -> Frame {
        Frame(command: .ping, reqID: reqID)
    }

    /// One frame of a streamed answer: the same `streamID` on every frame and the full content so far.
    public static func streamReply(reqID: String, streamID: String, content: String, finish: Bool) -> Frame {
        Frame(command: .respondMessage, reqID: reqID, body: [
            "msgtype": "stream",
            "stream": ["id": .string(streamID), "finish": .bool(finish), "content": .string(content)],
        ])
    }

    public static func markdownReply(reqID: String, content: String) -> Frame {
        Frame(command: .respondMessage, reqID: reqID, body: ["msgtype": "markdown", "markdown": ["content": .string(content)]])
    }

    public static func templateCardReply(reqID: String, card: JSONValue) -> Frame {
        Frame(command: .respondMessage, reqID: reqID, body: ["msgtype": "template_card", "template_card": card])
    }

    public static func mediaReply(reqID: String, type: MediaType, mediaID: String) -> Frame {
        Frame(command: .respondMessage, reqID: reqID, body: mediaBody(type, mediaID))
    }

    /// The answer to `enter_chat`, within 5 s of it.
    public static func welcomeText(reqID: String, content: String) -> Frame {
        Frame(command: .respondWelcome, reqID: reqID, body: ["msgtype": "text", "text": ["content": .string(content)]])
    }

    public static func welcomeCard(reqID: String, card: JSONValue) -> Frame {
        Frame(command: .respondWelcome, reqID: reqID, body: ["msgtype": "template_card", "template_card": card])
    }

    /// Replaces the card a `template_card_event` came from, within 5 s of it; `userIDs` nil means
    /// every user the card was sent to.
    public static func templateCardUpdate(reqID: String, card: JSONValue, userIDs: [String]? = nil) -> Frame {
        var body: [String: JSONValue] = ["response_type": "update_template_card", "template_card": card]
        if let userIDs { body["userids"] = .array(userIDs.map { .string($0) }) }
        return Frame(command: .respondUpdate, reqID: reqID, body: .object(body))
    }

    /// A message the bot sends first, or the rest of an answer whose stream expired.
    public static func sendMarkdown(reqID: String, to target: ChatTarget, content: String) -> Frame {
        Frame(command: .sendMessage, reqID: reqID, body: [
            "chatid": .string(target.chatID), "chat_type": .number(Double(target.chatType)),
            "msgtype": "markdown", "markdown": ["content": .string(content)],
        ])
    }

    public static func sendMedia(reqID: String, to target: ChatTarget, type: MediaType, mediaID: String) -> Frame {
        guard case var .object(body) = mediaBody(type, mediaID) else { preconditionFailure("mediaBody is an object") }
        body["chatid"] = .string(target.chatID)
        body["chat_type"] = .number(Double(target.chatType))
        return Frame(command: .sendMessage, reqID: reqID, body: .object(body))
    }

    /// Starts an upload; the ack's body holds the `upload_id`.
    public static func uploadMediaInit(reqID: String, type: MediaType, filename: String, totalSize: Int,
                                       totalChunks: Int, md5: String) -> Frame {
        Frame(command: .uploadMediaInit, reqID: reqID, body: [
            "type": .string(type.rawValue), "filename": .string(filename), "total_size": .number(Double(totalSize)),
            "total_chunks": .number(Double(totalChunks)), "md5": .string(md5),
        ])
    }

    /// One chunk (at most 512 KB before base64); chunks are idempotent and may go in any order.
    public static func uploadMediaChunk(reqID: String, uploadID: String, chunkIndex: Int, base64Data: String) -> Frame {
        Frame(command: .uploadMediaChunk, reqID: reqID, body: [
            "upload_id": .string(uploadID), "chunk_index": .number(Double(chunkIndex)), "base64_data": .string(base64Data),
        ])
    }

    /// Ends an upload; the ack's body holds `type`, `media_id` and `created_at`.
    public static func uploadMediaFinish(reqID: String, uploadID: String) -> Frame {
        Frame(command: .uploadMediaFinish, reqID: reqID, body: ["upload_id": .string(uploadID)])
    }

    private static func mediaBody(_ type: MediaType, _ mediaID: String) -> JSONValue {
        .object(["msgtype": .string(type.rawValue), type.rawValue: ["media_id": .string(mediaID)]])
    }
}
