import WeComModel

/// The job a responder queues for a worker (``NewMessage/payload``, read back as
/// ``ClaimedJob/payload``): the decrypted callback exactly as WeCom sent it, plus the text with
/// the bot's @name already removed (names are configuration the worker need not look up again).
///
/// One codec for both sides, next to the queue records, so that what a responder writes is
/// what a worker reads, whichever backend holds the row in between. The bytes are
/// `{"v":1,"text":…,"message":…}`: jobs queued by an older build stay readable.
public struct JobPayload: Sendable, Equatable {
    /// The callback as WeCom sent it.
    public var message: InboundMessage
    /// The user's text without the bot's @name; nil for a message without text.
    public var text: String?
    /// The message came over a long connection: `wecom-ws` pushes the stream and sends what it
    /// cannot carry, so the worker writes the whole answer into the stream and keeps no
    /// 6-minute window of its own (that window starts at the first pushed frame).
    public var longConnection: Bool

    /// The only layout written so far.
    static let version = 1

    public init(message: InboundMessage, text: String?, longConnection: Bool = false) {
        self.message = message
        self.text = text
        self.longConnection = longConnection
    }

    /// The payload text for the decrypted callback `message` (UTF-8 JSON, already checked by the
    /// responder) and its clean `text`. The callback is spliced in as it came, not re-encoded
    /// from the model, so fields the model does not know reach the worker too. A callback's
    /// payload has no `mode` (jobs queued before long connections read the same).
    public static func encode(message: [UInt8], text: String?, longConnection: Bool = false) -> String {
        let textJSON = text.map { String(decoding: JSONValue.string($0).jsonBytes(), as: UTF8.self) } ?? "null"
        let mode = longConnection ? #","mode":"long_connection""# : ""
        return #"{"v":\#(version),"text":"# + textJSON + mode + #","message":"# + String(decoding: message, as: UTF8.self) + "}"
    }

    /// Reads a payload that ``encode(message:text:)`` wrote.
    /// - Throws: `WeComModelError.malformed` for anything else.
    public init(decoding payload: String) throws {
        // The payload wraps the callback in one more object than the responder checked.
        let json = try JSONValue.parse(Array(payload.utf8), depthLimit: JSONValue.maxDepth + 1)
        if let version = json["v"], version != .number(Double(Self.version)) {
            throw WeComModelError.malformed("job payload: unknown version \(String(decoding: version.jsonBytes(), as: UTF8.self))")
        }
        guard let raw = json["message"] else { throw WeComModelError.malformed("job payload: message missing") }
        message = try InboundMessage(json: raw)
        text = json["text"]?.stringValue
        longConnection = json["mode"]?.stringValue == "long_connection"
    }
}
