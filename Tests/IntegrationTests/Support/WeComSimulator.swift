import Foundation
import WeComCrypto
import WeComModel

/// Acts as WeCom towards the stack: signs and encrypts callbacks exactly as WeCom does,
/// sends them through nginx, and opens the encrypted replies.
struct WeComSimulator {
    /// nginx's address: loopback, or a simulated host's address on a test network.
    let host: String
    let port: Int
    let botID: String
    let token: String
    let key: String
    let crypto: WeComCrypto

    init(host: String = "127.0.0.1", port: Int, botID: String, token: String, key: String) throws {
        self.host = host; self.port = port; self.botID = botID; self.token = token; self.key = key
        crypto = try WeComCrypto(token: token, encodingAESKey: key)
    }

    static func percentEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// GET verification with a fresh echostr; returns the response and the expected plaintext.
    func verify(echo plain: String = String(UInt64.random(in: 1...UInt64.max))) throws -> (HTTPResponse, String) {
        let echostr = try crypto.encrypt(Array(plain.utf8))
        let ts = String(Int(Date().timeIntervalSince1970)), nonce = String(UInt32.random(in: 1...UInt32.max))
        let sig = WeComCrypto.signature(token: token, timestamp: ts, nonce: nonce, encrypt: echostr)
        let target = "/wecom/callback/\(botID)?msg_signature=\(sig)&timestamp=\(ts)&nonce=\(nonce)&echostr=\(Self.percentEncode(echostr))"
        return (try HTTPClient.request(host: host, port: port, method: "GET", target: target), plain)
    }

    /// The signed POST (target and body) for a plaintext callback JSON.
    func signedPost(_ json: String, nonce: String = String(UInt32.random(in: 1...UInt32.max))) throws -> (target: String, body: [UInt8]) {
        let encrypt = try crypto.encrypt(Array(json.utf8))
        let ts = String(Int(Date().timeIntervalSince1970))
        let sig = WeComCrypto.signature(token: token, timestamp: ts, nonce: nonce, encrypt: encrypt)
        let body = Array(#"{"encrypt":"\#(encrypt)"}"#.utf8)
        return ("/wecom/callback/\(botID)?msg_signature=\(sig)&timestamp=\(ts)&nonce=\(nonce)", body)
    }

    /// Sends a callback and returns the HTTP response.
    func post(_ json: String) throws -> HTTPResponse {
        let (target, body) = try signedPost(json)
        return try HTTPClient.request(host: host, port: port, method: "POST", target: target, body: body)
    }

    /// Sends a callback and decrypts the reply envelope (after checking its signature).
    func postAndOpen(_ json: String) throws -> [String: Any] {
        let response = try post(json)
        guard response.status == 200 else { throw FixtureError("status \(response.status): \(response.text)") }
        return try open(response.body)
    }

    func open(_ envelope: [UInt8]) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(envelope)) as? [String: Any],
              let encrypt = object["encrypt"] as? String, let sig = object["msgsignature"] as? String,
              let ts = object["timestamp"] as? String, let nonce = object["nonce"] as? String else {
            throw FixtureError("not a reply envelope: \(String(decoding: envelope, as: UTF8.self))")
        }
        try crypto.verifySignature(sig, timestamp: ts, nonce: nonce, encrypt: encrypt)
        let plain = try crypto.decrypt(encrypt)
        guard let reply = try JSONSerialization.jsonObject(with: Data(plain)) as? [String: Any] else {
            throw FixtureError("reply plaintext is not an object")
        }
        return reply
    }

    /// Polls the stream like WeCom (but every 20 ms) until `condition` holds for a reply.
    func poll(streamID: String, timeout: Double = 15, until condition: ([String: Any]) -> Bool) throws -> [String: Any] {
        var last: [String: Any] = [:]
        do {
            try waitUntil(timeout: timeout, "stream \(streamID)") {
                guard let reply = try? postAndOpen(Self.refresh(streamID: streamID)) else { return false }
                last = reply
                return condition(reply)
            }
        } catch {
            throw FixtureError("\(error); last frame: \(last)")
        }
        return last
    }

    /// Polls until the stream finishes and returns the final frame's `stream` object.
    func final(streamID: String, timeout: Double = 20) throws -> [String: Any] {
        try poll(streamID: streamID, timeout: timeout) { $0.stream["finish"] as? Bool == true }.stream
    }

    /// Sends a message and returns its stream id.
    func send(_ json: String) throws -> String {
        let reply = try postAndOpen(json)
        guard let id = reply.stream["id"] as? String else { throw FixtureError("no stream id in \(reply)") }
        return id
    }

    // MARK: payload builders (shapes from docs/wecom-protocol.md §4)

    static func text(msgID: String, content: String, userID: String = "zhangsan", chatID: String? = nil,
                     aibotID: String = "aibTEST") -> String {
        let chat = chatID.map { #""chatid":"\#($0)","chattype":"group","# } ?? #""chattype":"single","#
        return #"{"msgid":"\#(msgID)","aibotid":"\#(aibotID)",\#(chat)"from":{"userid":"\#(userID)"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRETCODE","msgtype":"text","text":{"content":"\#(content)"}}"#
    }

    static func image(msgID: String, url: String, userID: String = "zhangsan", aibotID: String = "aibTEST") -> String {
        #"{"msgid":"\#(msgID)","aibotid":"\#(aibotID)","chattype":"single","from":{"userid":"\#(userID)"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRETCODE","msgtype":"image","image":{"url":"\#(url)"}}"#
    }

    static func mixed(msgID: String, text: String, imageURL: String, chatID: String = "wrGROUP", userID: String = "zhangsan",
                      aibotID: String = "aibTEST") -> String {
        #"{"msgid":"\#(msgID)","aibotid":"\#(aibotID)","chatid":"\#(chatID)","chattype":"group","from":{"userid":"\#(userID)"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRETCODE","msgtype":"mixed","mixed":{"msg_item":[{"msgtype":"text","text":{"content":"\#(text)"}},{"msgtype":"image","image":{"url":"\#(imageURL)"}}]}}"#
    }

    static func text(msgID: String, content: String, responseURL: String, userID: String = "zhangsan",
                     aibotID: String = "aibTEST") -> String {
        #"{"msgid":"\#(msgID)","aibotid":"\#(aibotID)","chattype":"single","from":{"userid":"\#(userID)"},"response_url":"\#(responseURL)","msgtype":"text","text":{"content":"\#(content)"}}"#
    }

    static func refresh(streamID: String, aibotID: String = "aibTEST") -> String {
        #"{"msgid":"r\#(UUID().uuidString)","aibotid":"\#(aibotID)","chattype":"single","from":{"userid":"zhangsan"},"msgtype":"stream","stream":{"id":"\#(streamID)"}}"#
    }

    static func enterChat(aibotID: String = "aibTEST") -> String {
        #"{"msgid":"e\#(UUID().uuidString)","create_time":1700000000,"aibotid":"\#(aibotID)","from":{"userid":"zhangsan"},"msgtype":"event","event":{"eventtype":"enter_chat"}}"#
    }

    static func feedback(msgID: String, id: String, type: Int, content: String, aibotID: String = "aibTEST") -> String {
        #"{"msgid":"\#(msgID)","create_time":1700000000,"aibotid":"\#(aibotID)","from":{"userid":"lisi"},"msgtype":"event","event":{"eventtype":"feedback_event","feedback_event":{"id":"\#(id)","type":\#(type),"content":"\#(content)","inaccurate_reason_list":[2,3]}}}"#
    }
}

extension Dictionary where Key == String, Value == Any {
    var stream: [String: Any] { self["stream"] as? [String: Any] ?? [:] }
}
