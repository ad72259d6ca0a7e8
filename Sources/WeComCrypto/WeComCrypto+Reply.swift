import JSONCore
extension WeComCrypto {
    /// The encrypted passive-reply envelope (docs/wecom-protocol.md §5.1), exactly
    /// `{"encrypt":"…","msgsignature":"…","timestamp":"…","nonce":"…"}`: this key order,
    /// the timestamp as a JSON string, strings JSON-escaped, `/` not escaped.
    ///
    /// - Parameters:
    ///   - plaintext: the reply JSON (e.g. a `stream` frame).
    ///   - timestamp: usually the callback's; signed as given.
    ///   - nonce: must be the callback URL's nonce.
    ///   - random: the 16-byte frame prefix, injectable for vectors (see ``encrypt(_:random:)``).
    public func encryptReply(_ plaintext: [UInt8], timestamp: String, nonce: String, random: [UInt8]? = nil)
        throws -> [UInt8]
    {
        let encrypt = try encryptedBase64(plaintext, random: random)  // base64: nothing to escape
        let signature = try signature(timestamp: timestamp, nonce: nonce, encrypt: encrypt)
        var json: [UInt8] = []
        json.reserveCapacity(encrypt.count + nonce.utf8.count + timestamp.utf8.count + 96)
        json.append(contentsOf: #"{"encrypt":""#.utf8)
        json.append(contentsOf: encrypt)
        json.append(contentsOf: #"","msgsignature":"#.utf8)
        JSONWriter.appendString(signature, to: &json)
        json.append(contentsOf: #","timestamp":"#.utf8)
        JSONWriter.appendString(timestamp, to: &json)
        json.append(contentsOf: #","nonce":"#.utf8)
        JSONWriter.appendString(nonce, to: &json)
        json.append(UInt8(ascii: "}"))
        return json
    }
}
