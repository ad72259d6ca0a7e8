/// Key material derived from a 43-character EncodingAESKey (docs/wecom-protocol.md §3.1).
///
/// `key = base64_decode(EncodingAESKey + "=")` must be exactly 32 bytes (AES-256);
/// the IV is not random: it is `key[0..<16]`. `description` and `dump` never show the bytes.
public struct AESKey: Sendable, Equatable {
    /// The 32-byte AES-256 key.
    public let key: [UInt8]

    /// The CBC initialisation vector: the first 16 key bytes.
    public var iv: [UInt8] { Array(key[0..<16]) }

    /// Derives the key, throwing ``WeComCryptoError/illegalAESKey(_:)`` (-40004) when the
    /// EncodingAESKey is not 43 characters of standard base64 decoding to 32 bytes.
    public init(encodingAESKey: String) throws {
        let length = encodingAESKey.utf8.count
        guard length == 43 else {
            throw WeComCryptoError.illegalAESKey("EncodingAESKey must be 43 characters, got \(length)")
        }
        guard let data = Base64.decode(encodingAESKey + "=") else {
            throw WeComCryptoError.illegalAESKey("EncodingAESKey is not valid base64")
        }
        guard data.count == 32 else {
            throw WeComCryptoError.illegalAESKey("EncodingAESKey decodes to \(data.count) bytes, not 32")
        }
        key = data
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
