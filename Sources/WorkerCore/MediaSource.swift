/// One media file of a message: where to download it, and the key it is encrypted with when
/// the message names one (long-connection mode gives every URL its own `aeskey`; a callback's
/// media use the bot's EncodingAESKey).
public struct MediaSource: Sendable, Equatable {
    public var url: String
    /// The struct's `aeskey`; nil for callback media.
    public var aesKey: String?

    public init(url: String, aesKey: String? = nil) {
        self.url = url
        self.aesKey = aesKey
    }
}
