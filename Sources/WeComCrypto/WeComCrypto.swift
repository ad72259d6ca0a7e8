import StrictBase64

/// One bot's callback crypto: token, AES key and receiveid (docs/wecom-protocol.md §3).
///
/// Messages, echostr and replies are framed (``MessageFrame``), padded PKCS#7 to 32 bytes,
/// encrypted AES-256-CBC with `iv = key[0..<16]` and base64-encoded; media is the same without
/// the framing. The signature, URL verification and reply envelope live in extension files.
public struct WeComCrypto: Sendable {
    let token: String
    let aesKey: AESKey
    /// The receiveid appended on encrypt and, when non-empty, required on decrypt.
    /// AI bots use `""` (docs/wecom-protocol.md §3.4).
    public let receiveID: String

    /// - Throws: ``WeComCryptoError/illegalAESKey(_:)`` for a bad EncodingAESKey.
    public init(token: String, encodingAESKey: String, receiveID: String = "") throws {
        self.token = token
        self.aesKey = try AESKey(encodingAESKey: encodingAESKey)
        self.receiveID = receiveID
    }

    /// Frames `message` (16 random bytes, big-endian UInt32 byte length, message, receiveid),
    /// pads PKCS#7 to 32, encrypts AES-256-CBC and returns the base64 text.
    ///
    /// - Parameter random: the 16-byte prefix, injectable for deterministic vectors; by default
    ///   16 random alphanumeric ASCII characters from `RAND_bytes`.
    public func encrypt(_ message: [UInt8], random: [UInt8]? = nil) throws -> String {
        String(decoding: try encryptedBase64(message, random: random), as: UTF8.self)
    }

    /// ``encrypt(_:random:)`` as the base64 text's ASCII bytes (the reply path writes them as they are).
    func encryptedBase64(_ message: [UInt8], random: [UInt8]? = nil) throws -> [UInt8] {
        let prefix = random ?? SecureRandom.alphanumericBytes(MessageFrame.randomCount, from: SecureRandom.alphabet)
        var plaintext = try MessageFrame(random: prefix, message: message, receiveID: Array(receiveID.utf8)).encoded()
        PKCS7.pad(&plaintext)
        return Base64.encodedBytes(try aesKey.encryptPadded(plaintext))
    }

    /// base64 → AES-256-CBC decrypt (library padding off) → validate and strip PKCS#7/32 →
    /// unframe → check the receiveid (only when the configured one is non-empty) → message bytes.
    ///
    /// - Throws: ``WeComCryptoError/decodeBase64``, ``WeComCryptoError/decryptAES(_:)``,
    ///   ``WeComCryptoError/illegalBuffer(_:)`` or ``WeComCryptoError/validateReceiveID``.
    public func decrypt(_ base64: String) throws -> [UInt8] {
        guard let ciphertext = Base64.decode(base64) else { throw WeComCryptoError.decodeBase64 }
        let frame = try MessageFrame(decoding: try aesKey.decryptMedia(ciphertext))
        if !receiveID.isEmpty, frame.receiveID != Array(receiveID.utf8) { throw WeComCryptoError.validateReceiveID }
        return frame.message
    }

    /// Decrypts downloaded media (image, file, video) with the bot's key (docs/wecom-protocol.md
    /// §3.7): ``AESKey/decryptMedia(_:)``.
    public func decryptMedia(_ data: [UInt8]) throws -> [UInt8] {
        try aesKey.decryptMedia(data)
    }

    /// Pads `data` PKCS#7 to 32 and encrypts it AES-256-CBC with the bot's key, without framing
    /// (tests, media fixtures).
    public func encryptMedia(_ data: [UInt8]) throws -> [UInt8] {
        try aesKey.encryptMedia(data)
    }
}
