import StrictBase64

/// Key material derived from a 43-character EncodingAESKey (docs/wecom-protocol.md §3.1), or
/// from a long-connection media struct's `aeskey` (§8.2).
///
/// `key = base64_decode(EncodingAESKey + "=")` must be exactly 32 bytes (AES-256);
/// the IV is not random: it is `key[0..<16]`. `description` and `dump` never show the bytes.
public struct AESKey: Sendable, Equatable {
    /// The 32-byte AES-256 key.
    public let key: [UInt8]

    /// The CBC initialisation vector: the first 16 key bytes.
    public var iv: [UInt8] { Array(key[0..<16]) }

    /// Derives the key, throwing ``WeComCryptoError/illegalAESKey(_:)`` (-40004) when the
    /// EncodingAESKey is not 43 letters and digits decoding to 32 bytes (`EncodingAESKeyFormat`,
    /// the rule the configuration check applies too).
    public init(encodingAESKey: String) throws {
        do {
            key = try EncodingAESKeyFormat.keyBytes(encodingAESKey)
        } catch {
            throw WeComCryptoError.illegalAESKey(error.description)
        }
    }

    /// The key a long-connection media struct carries for its own URL (`aeskey`,
    /// docs/wecom-protocol.md §8.2): standard base64 of 32 bytes, sent without its `=` padding,
    /// which is added here. Unlike an EncodingAESKey it is not held to letters and digits: nothing
    /// promises that for a key WeCom makes per file.
    ///
    /// - Throws: ``WeComCryptoError/illegalAESKey(_:)`` when it is not base64 of 32 bytes.
    public init(mediaAESKey text: String) throws {
        let length = text.utf8.count
        guard length % 4 != 1, let key = Base64.decode(text + String(repeating: "=", count: (4 - length % 4) % 4)) else {
            throw WeComCryptoError.illegalAESKey("media aeskey is not valid base64")
        }
        guard key.count == 32 else { throw WeComCryptoError.illegalAESKey("media aeskey decodes to \(key.count) bytes, not 32") }
        self.key = key
    }
}

extension AESKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Redacted: key material never reaches logs.
    public var description: String { "AESKey(<redacted>)" }
    /// Redacted: key material never reaches logs.
    public var debugDescription: String { description }
    /// No children, so `dump` shows nothing secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
