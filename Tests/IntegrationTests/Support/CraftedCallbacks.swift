import Foundation
import WeComCrypto

/// Hostile callbacks that still carry a valid signature, so that they get past the signature
/// check and exercise base64, AES, padding, framing and JSON decoding.
extension WeComSimulator {
    /// A POST whose `encrypt` field is `encrypt`, correctly signed with this bot's token.
    func signed(encrypt: String, nonce: String = "4242", timestamp: String = "1700000000") -> (target: String, body: [UInt8]) {
        let sig = WeComCrypto.signature(token: token, timestamp: timestamp, nonce: nonce, encrypt: encrypt)
        return ("/wecom/callback/\(botID)?msg_signature=\(sig)&timestamp=\(timestamp)&nonce=\(nonce)",
                Array(#"{"encrypt":"\#(encrypt)"}"#.utf8))
    }

    /// AES-256-CBC of `plaintext` with the bot key and no padding added (`plaintext.count` must
    /// be a multiple of 16): CBC blocks depend only on the blocks before them, so the padded
    /// ciphertext of `encryptMedia` starts with exactly these blocks.
    func rawCBC(_ plaintext: [UInt8]) throws -> String {
        precondition(plaintext.count % 16 == 0, "raw CBC needs whole blocks")
        return Data(try crypto.encryptMedia(plaintext).prefix(plaintext.count)).base64EncodedString()
    }

    /// The framed plaintext: 16 random bytes, big-endian `declaredLength` (the real length by
    /// default), the message and the receiveid.
    static func frame(_ message: [UInt8], declaredLength: UInt32? = nil, receiveID: String = "") -> [UInt8] {
        let length = declaredLength ?? UInt32(message.count)
        return Array("0123456789abcdef".utf8) + (0..<4).map { UInt8(truncatingIfNeeded: length >> (24 - 8 * $0)) }
            + message + Array(receiveID.utf8)
    }

    /// `frame` followed by `pad` (whatever bytes the case wants), zero-filled in front of the
    /// pad so the total is a whole number of 32-byte blocks.
    static func frame(_ message: [UInt8], pad: [UInt8]) -> [UInt8] {
        var plain = frame(message)
        let fill = (32 - (plain.count + pad.count) % 32) % 32
        plain += [UInt8](repeating: 0x41, count: fill) + pad
        return plain
    }

    /// A signed POST carrying `plaintext` framed, padded and encrypted correctly: everything
    /// up to the JSON decoder is valid.
    func signedPlaintext(_ plaintext: String) throws -> (target: String, body: [UInt8]) {
        signed(encrypt: try crypto.encrypt(Array(plaintext.utf8)))
    }

    /// A signed GET verification for `echostr` (percent-encoded here).
    func signedVerify(echostr: String) -> String {
        let sig = WeComCrypto.signature(token: token, timestamp: "1700000000", nonce: "4242", encrypt: echostr)
        return "/wecom/callback/\(botID)?msg_signature=\(sig)&timestamp=1700000000&nonce=4242&echostr=\(Self.percentEncode(echostr))"
    }
}
