extension WeComCrypto {
    /// GET URL verification (docs/wecom-protocol.md §2): verifies the signature over `echostr`,
    /// decrypts it and returns the plaintext bytes to write back as the response body, as-is.
    ///
    /// The parameters must already be URL-decoded (`echostr` contains `+ / =`).
    public func verifyURL(msgSignature: String, timestamp: String, nonce: String, echostr: String)
        throws -> [UInt8]
    {
        try verifySignature(msgSignature, timestamp: timestamp, nonce: nonce, encrypt: echostr)
        return try decrypt(echostr)
    }

    /// POST callback: parses `{"encrypt":"…"}`, verifies the signature over the `encrypt` field,
    /// decrypts it and returns the message JSON bytes.
    ///
    /// - Throws: ``WeComCryptoError/xmlEnvelope`` or ``WeComCryptoError/parseJSON(_:)`` for a bad
    ///   body, ``WeComCryptoError/validateSignature``, then anything ``decrypt(_:)`` throws.
    public func decryptCallback(msgSignature: String, timestamp: String, nonce: String, body: [UInt8])
        throws -> [UInt8]
    {
        let encrypt = try CallbackBody(parsing: body).encrypt
        try verifySignature(msgSignature, timestamp: timestamp, nonce: nonce, encrypt: encrypt)
        return try decrypt(encrypt)
    }
}
