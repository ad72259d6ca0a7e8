import COpenSSL

extension WeComCrypto {
    /// `msg_signature`: lowercase hex SHA-1 of token, timestamp, nonce and encrypt, sorted by byte
    /// order and concatenated without separator (docs/wecom-protocol.md §3.5).
    public static func signature(token: String, timestamp: String, nonce: String, encrypt: String) -> String {
        Digest.sha1Hex(signedBytes(token: token, timestamp: timestamp, nonce: nonce, encrypt: encrypt))
    }

    /// Checks `msgSignature` against the signature over `encrypt`, in constant time
    /// (`CRYPTO_memcmp`).
    ///
    /// - Throws: ``WeComCryptoError/validateSignature`` on mismatch,
    ///   ``WeComCryptoError/computeSignature`` if SHA-1 fails.
    public func verifySignature(_ msgSignature: String, timestamp: String, nonce: String, encrypt: String)
        throws
    {
        let expected = Array(try signature(timestamp: timestamp, nonce: nonce, encrypt: encrypt).utf8)
        let given = Array(msgSignature.utf8)
        guard given.count == expected.count else { throw WeComCryptoError.validateSignature }
        let rc = given.withUnsafeBufferPointer { lhs in
            expected.withUnsafeBufferPointer { rhs in
                CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count)
            }
        }
        guard rc == 0 else { throw WeComCryptoError.validateSignature }
    }

    /// This bot's signature over `encrypt`; ``WeComCryptoError/computeSignature`` if SHA-1 fails.
    func signature(timestamp: String, nonce: String, encrypt: String) throws(WeComCryptoError) -> String {
        try signature(timestamp: timestamp, nonce: nonce, encrypt: Array(encrypt.utf8))
    }

    /// The same over the base64 text's bytes.
    func signature(timestamp: String, nonce: String, encrypt: [UInt8]) throws(WeComCryptoError) -> String {
        let bytes = Self.signedBytes([Array(token.utf8), Array(timestamp.utf8), Array(nonce.utf8), encrypt])
        do {
            return Digest.hex(try Digest.sha1(bytes))
        } catch {
            throw WeComCryptoError.computeSignature
        }
    }

    /// The four strings' UTF-8 bytes, sorted by byte order (not Swift's Unicode `String` order)
    /// and concatenated.
    static func signedBytes(token: String, timestamp: String, nonce: String, encrypt: String) -> [UInt8] {
        signedBytes([token, timestamp, nonce, encrypt].map { Array($0.utf8) })
    }

    static func signedBytes(_ parts: [[UInt8]]) -> [UInt8] {
        parts.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 }
    }
}
