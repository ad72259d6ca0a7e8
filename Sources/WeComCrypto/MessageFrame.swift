/// The plaintext framing of messages, echostr and replies (docs/wecom-protocol.md §3.3):
///
///     random (16 bytes) || msg_len (UInt32, big-endian, bytes) || msg || receiveid
///
/// Media has no framing.
struct MessageFrame: Equatable {
    /// Length of the random prefix.
    static let randomCount = 16
    /// Length of the random prefix plus `msg_len`.
    static let headerCount = randomCount + 4

    /// Opaque random prefix; never validated on decrypt.
    var random: [UInt8]
    /// The message bytes (UTF-8 JSON, or the echostr plaintext).
    var message: [UInt8]
    /// The trailing receiveid bytes (empty for AI bots).
    var receiveID: [UInt8]

    /// Builds the plaintext; ``WeComCryptoError/encryptAES(_:)`` if the random prefix is not
    /// 16 bytes or the message does not fit a UInt32 length.
    func encoded() throws(WeComCryptoError) -> [UInt8] {
        guard random.count == Self.randomCount else {
            throw .encryptAES("random prefix must be \(Self.randomCount) bytes, got \(random.count)")
        }
        guard let length = UInt32(exactly: message.count) else {
            throw .encryptAES("message of \(message.count) bytes is too long for msg_len")
        }
        // One buffer, with room for the PKCS#7 padding that encryption appends next.
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(Self.headerCount + message.count + receiveID.count + PKCS7.blockSize)
        plaintext.append(contentsOf: random)
        for shift in stride(from: 24, through: 0, by: -8) { plaintext.append(UInt8(truncatingIfNeeded: length >> shift)) }
        plaintext.append(contentsOf: message)
        plaintext.append(contentsOf: receiveID)
        return plaintext
    }

    /// Parses a plaintext, checking `count >= 20` and `20 + msg_len <= count` before slicing;
    /// ``WeComCryptoError/illegalBuffer(_:)`` otherwise.
    init(decoding plaintext: [UInt8]) throws(WeComCryptoError) {
        guard plaintext.count >= Self.headerCount else {
            throw .illegalBuffer("plaintext is \(plaintext.count) bytes, shorter than the 20-byte header")
        }
        let length = plaintext[Self.randomCount..<Self.headerCount].reduce(0) { $0 << 8 | Int($1) }
        guard length <= plaintext.count - Self.headerCount else {
            throw .illegalBuffer("msg_len \(length) runs past the end of a \(plaintext.count)-byte plaintext")
        }
        let end = Self.headerCount + length
        random = Array(plaintext[0..<Self.randomCount])
        message = Array(plaintext[Self.headerCount..<end])
        receiveID = Array(plaintext[end...])
    }

    /// Memberwise.
    init(random: [UInt8], message: [UInt8], receiveID: [UInt8]) {
        self.random = random
        self.message = message
        self.receiveID = receiveID
    }
}
