/// Media files under one key: AES-256-CBC with `iv = key[0..<16]`, PKCS#7 padded to 32, no
/// framing (docs/wecom-protocol.md §3.7). The key is the bot's in callback mode and the media
/// struct's own `aeskey` in long-connection mode (§8.2); the algorithm is the same.
extension AESKey {
    /// Decrypts downloaded media.
    ///
    /// - Throws: ``WeComCryptoError/decryptAES(_:)`` for a bad length, bad padding or an
    ///   OpenSSL failure.
    public func decryptMedia(_ data: [UInt8]) throws -> [UInt8] {
        guard !data.isEmpty, data.count % CipherContext.blockSize == 0 else {
            throw WeComCryptoError.decryptAES("ciphertext length \(data.count) is not a positive multiple of 16")
        }
        let padded: [UInt8]
        do {
            padded = try CipherContext.aes256CBC(.decrypt, data, key: self)
        } catch {
            throw WeComCryptoError.decryptAES(error.description)
        }
        return try PKCS7.unpad(padded)
    }

    /// Pads `data` PKCS#7 to 32 and encrypts it (tests, media fixtures).
    ///
    /// - Throws: ``WeComCryptoError/encryptAES(_:)`` on an OpenSSL failure.
    public func encryptMedia(_ data: [UInt8]) throws -> [UInt8] {
        try encryptPadded(PKCS7.pad(data))
    }

    /// AES-256-CBC of already padded bytes.
    func encryptPadded(_ padded: [UInt8]) throws(WeComCryptoError) -> [UInt8] {
        do {
            return try CipherContext.aes256CBC(.encrypt, padded, key: self)
        } catch {
            throw .encryptAES(error.description)
        }
    }
}
