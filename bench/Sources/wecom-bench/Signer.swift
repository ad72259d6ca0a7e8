import Foundation
import WeComCrypto

/// Builds callbacks exactly as WeCom does (encrypted, signed) and opens the encrypted replies.
struct Signer {
    let token: String
    let crypto: WeComCrypto
    /// `/wecom/callback/<botid>`, or another location of the same bot.
    let path: String

    init(token: String, key: String, botID: String, path: String? = nil) throws {
        self.token = token
        crypto = try WeComCrypto(token: token, encodingAESKey: key)
        self.path = path ?? "/wecom/callback/" + botID
    }

    /// A signed POST for a plaintext callback: the target (path and query) and the JSON body.
    func post(_ json: String) throws -> (target: String, body: String) {
        let encrypt = try crypto.encrypt(Array(json.utf8))
        let (ts, nonce) = Self.stamp()
        let signature = WeComCrypto.signature(token: token, timestamp: ts, nonce: nonce, encrypt: encrypt)
        return ("\(path)?msg_signature=\(signature)&timestamp=\(ts)&nonce=\(nonce)", #"{"encrypt":"\#(encrypt)"}"#)
    }

    /// A signed URL verification (GET) and the plaintext the responder must echo.
    func verification() throws -> (target: String, echo: String) {
        let echo = String(UInt64.random(in: 1...UInt64.max))
        let echostr = try crypto.encrypt(Array(echo.utf8))
        let (ts, nonce) = Self.stamp()
        let signature = WeComCrypto.signature(token: token, timestamp: ts, nonce: nonce, encrypt: echostr)
        return ("\(path)?msg_signature=\(signature)&timestamp=\(ts)&nonce=\(nonce)&echostr=\(Self.percentEncode(echostr))", echo)
    }

    /// The decrypted reply object of an encrypted reply envelope.
    func open(_ envelope: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: envelope) as? [String: Any],
              let encrypt = object["encrypt"] as? String else { throw BenchError("not a reply envelope") }
        let plain = try crypto.decrypt(encrypt)
        guard let reply = try JSONSerialization.jsonObject(with: Data(plain)) as? [String: Any] else {
            throw BenchError("reply plaintext is not an object")
        }
        return reply
    }

    static func stamp() -> (timestamp: String, nonce: String) {
        (String(Int(Date().timeIntervalSince1970)), String(UInt32.random(in: 1...UInt32.max)))
    }

    static func percentEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    // MARK: callback payloads (shapes from the protocol doc)

    static func text(msgID: String, content: String) -> String {
        #"{"msgid":"\#(msgID)","aibotid":"aibBENCH","chattype":"single","from":{"userid":"bench"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=BENCH","msgtype":"text","text":{"content":"\#(content)"}}"#
    }

    static func refresh(streamID: String) -> String {
        #"{"msgid":"r\#(UUID().uuidString)","aibotid":"aibBENCH","chattype":"single","from":{"userid":"bench"},"msgtype":"stream","stream":{"id":"\#(streamID)"}}"#
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
