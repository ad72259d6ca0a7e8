import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import WeComCrypto
import WeComModel

/// Talks to a callback URL the way WeCom does: signed GET verification, signed and encrypted
/// POSTs, and opening the encrypted reply envelopes (signature and nonce checked).
struct CallbackClient {
    let target: CallbackTarget
    let token: String
    let crypto: WeComCrypto
    let session: URLSession

    init(target: CallbackTarget, token: String, key: String, receiveID: String) throws {
        self.target = target
        self.token = token
        crypto = try WeComCrypto(token: token, encodingAESKey: key, receiveID: receiveID)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    /// URL verification with a fresh echostr: the body must be its plaintext.
    func verify() async throws {
        let plain = String(UInt64.random(in: 1_000_000_000...UInt64.max))
        let echostr = try crypto.encrypt(Array(plain.utf8))
        let (timestamp, nonce) = Self.freshTimestampAndNonce()
        let signature = WeComCrypto.signature(token: token, timestamp: timestamp, nonce: nonce, encrypt: echostr)
        let query = Self.query(["msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr])
        let (status, body) = try await exchange("GET", query: query, body: nil, step: "URL verification")
        guard status == 200 else { throw CommandFailure(explain(status, body, step: "URL verification")) }
        guard body == Array(plain.utf8) else {
            throw CommandFailure("URL verification failed: HTTP 200 but the body is not the echostr plaintext "
                                 + "(got \(body.count) bytes: \(Formatting.excerpt(String(decoding: body, as: UTF8.self), 60)))")
        }
    }

    /// Encrypts and signs `json`, POSTs it, checks and decrypts the reply envelope.
    func post(_ json: JSONValue, step: String) async throws -> JSONValue {
        let encrypt = try crypto.encrypt(json.jsonBytes())
        let (timestamp, nonce) = Self.freshTimestampAndNonce()
        let signature = WeComCrypto.signature(token: token, timestamp: timestamp, nonce: nonce, encrypt: encrypt)
        let query = Self.query(["msg_signature": signature, "timestamp": timestamp, "nonce": nonce])
        let envelope: JSONValue = ["encrypt": .string(encrypt)]
        let (status, body) = try await exchange("POST", query: query, body: envelope.jsonBytes(), step: step)
        guard status == 200 else { throw CommandFailure(explain(status, body, step: step)) }
        guard !body.isEmpty else { throw CommandFailure("\(step): HTTP 200 with an empty body, not a stream reply") }
        return try open(body, nonce: nonce, step: step)
    }

    private func open(_ body: [UInt8], nonce: String, step: String) throws -> JSONValue {
        let envelope = try? JSONValue.parse(body)
        guard let encrypt = envelope?["encrypt"]?.stringValue, let signature = envelope?["msgsignature"]?.stringValue,
              let timestamp = envelope?["timestamp"]?.stringValue, let replyNonce = envelope?["nonce"]?.stringValue else {
            throw CommandFailure("\(step): the reply is not an encrypted envelope: "
                                 + Formatting.excerpt(String(decoding: body, as: UTF8.self), 80))
        }
        do {
            try crypto.verifySignature(signature, timestamp: timestamp, nonce: replyNonce, encrypt: encrypt)
        } catch {
            throw CommandFailure("\(step): the reply's msgsignature does not verify with this token")
        }
        guard replyNonce == nonce else { throw CommandFailure("\(step): the reply's nonce is not the request's nonce") }
        guard let plain = try? crypto.decrypt(encrypt), let reply = try? JSONValue.parse(plain) else {
            throw CommandFailure("\(step): the reply does not decrypt to JSON with this key")
        }
        return reply
    }

    private func exchange(_ method: String, query: String, body: [UInt8]?, step: String) async throws -> (Int, [UInt8]) {
        guard let url = URL(string: target.endpoint + "?" + query) else { throw CommandFailure("bad URL \(target.endpoint)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        do {
            let (data, response) = try await session.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, Array(data))
        } catch {
            throw CommandFailure("\(step) failed: cannot reach \(target.endpoint): \(error.localizedDescription)")
        }
    }

    /// What a refusal most likely means, in the responder's terms (403 signature, 400 decrypt, 404 bot).
    private func explain(_ status: Int, _ body: [UInt8], step: String) -> String {
        let text = Formatting.excerpt(String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), 80)
        switch status {
        case 403:
            return "\(step) failed: HTTP 403, the signature was refused: the token is not the bot's "
                + "(check --token, WECOM_TOKEN or the bots row)"
        case 400:
            return "\(step) failed: HTTP 400 (\(text)): the message did not decrypt: the EncodingAESKey is "
                + "probably not the bot's (check --aes-key, WECOM_ENCODING_AES_KEY or the bots row)"
        case 404:
            return "\(step) failed: HTTP 404: the service knows no bot \(target.botID) "
                + "(`wecomctl bots add \(target.botID) …`, or set WECOM_TOKEN and WECOM_ENCODING_AES_KEY)"
        default:
            return "\(step) failed: HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
        }
    }

    private static func freshTimestampAndNonce() -> (String, String) {
        (String(Int(Date().timeIntervalSince1970)), String(UInt32.random(in: 100_000...UInt32.max)))
    }

    /// `k=v&…` in a fixed order, values percent-encoded (`+`, `/` and `=` in base64 included).
    private static func query(_ fields: KeyValuePairs<String, String>) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }
            .joined(separator: "&")
    }
}
