import WeComModel

/// The job a responder queues for a worker: the decrypted callback exactly as WeCom sent it,
/// plus the text with the bot's @name already removed (names are configuration the worker
/// need not look up again). Built by splicing the raw JSON object, so nothing is lost.
public enum JobPayload {
    public static func make(message: [UInt8], text: String?) -> String {
        let textJSON = text.map { String(decoding: JSONValue.string($0).jsonBytes(), as: UTF8.self) } ?? "null"
        return #"{"v":1,"text":"# + textJSON + #","message":"# + String(decoding: message, as: UTF8.self) + "}"
    }
}
