import BotConfig
import CallbackHandler
import Foundation
import Logging
import SQLiteStore
import WeComCrypto

/// One fuzz input → one callback through the real handler, against a SQLite store in a
/// temporary file (the store insists on WAL, which `:memory:` cannot do; /dev/shm keeps it in RAM).
///
/// Input: one mode byte, a head line, `\n`, the body. Modes (byte % 4) decide how much the
/// harness does for the input, so that mutations reach every stage despite the signature:
/// - 0 raw: head `METHOD /wecom/callback/<botid>?<query>`, body as is (routing, query, envelope);
/// - 1 signed encrypt: the body is the `encrypt` text, signed by the harness (base64, AES, framing);
/// - 2 plaintext: the body is the message JSON, framed, encrypted and signed (decode, dispatch);
/// - 3 decrypted bytes: the body is the AES plaintext (padding and framing included), encrypted
///   without padding and signed (PKCS#7/32 checks, msg_len, receiveid).
/// The head's path (modes 1–3) picks the bot; `aibRECV` checks the receiveid `wwCORP`.
final class Harness {
    static let token = "AibotTestToken"
    static let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
    static let timestamp = "1700000000"
    static let nonce = "1234567890"

    let store: SQLiteStore
    let handler: CallbackHandler
    let crypto: WeComCrypto
    private(set) var answered: [Int: Int] = [:]

    /// The database file, removed (with its -wal and -shm) at exit.
    static let databasePath: String = {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return folder + "/fuzz-callback-\(getpid()).sqlite3"
    }()

    init() throws {
        let configuration = try Configuration(values: [
            "WECOM_TOKEN": Self.token, "WECOM_ENCODING_AES_KEY": Self.key, "WECOM_DB_PATH": Self.databasePath,
            "WECOM_ENV_FILE": "/nonexistent/.env",
        ])
        Self.removeDatabase()
        atexit { Harness.removeDatabase() }
        store = try SQLiteStore(path: Self.databasePath)
        try store.migrate()
        try store.execute("INSERT INTO bots(botid, token, encoding_aes_key, receive_id, created_at) VALUES ('aibRECV', '\(Self.token)', '\(Self.key)', 'wwCORP', 0)")
        let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        handler = CallbackHandler(configuration: configuration, store: store, waker: nil, logger: logger, now: { 1_700_000_000 })
        crypto = try WeComCrypto(token: Self.token, encodingAESKey: Self.key)
    }

    /// Runs one input. Accepted callbacks may have written rows: those are wiped, so every
    /// input starts from the same database.
    func run(_ input: [UInt8]) {
        guard let request = request(for: input) else { return }
        let response = handler.handle(request)
        precondition([200, 400, 403, 404, 405, 413].contains(response.status),
                     "status \(response.status): \(response.reason ?? "")")
        precondition(response.status == 200 || response.reason != nil, "a refusal without a reason")
        answered[response.status, default: 0] += 1
        if response.status == 200 { reset() }
    }

    static func removeDatabase() {
        for suffix in ["", "-wal", "-shm"] { unlink(databasePath + suffix) }
    }

    private func reset() {
        try? store.execute("DELETE FROM stream_images; DELETE FROM jobs; DELETE FROM messages; DELETE FROM streams; DELETE FROM feedback; DELETE FROM conversations")
    }

    func request(for input: [UInt8]) -> CallbackRequest? {
        guard let mode = input.first else { return nil }
        let rest = input.dropFirst()
        let newline = rest.firstIndex(of: 0x0A) ?? rest.endIndex
        let head = String(decoding: rest[rest.startIndex..<newline], as: UTF8.self)
        let body = Array(rest[min(newline + 1, rest.endIndex)...])
        let parts = head.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let method = parts.count > 1 ? String(parts[0]) : "POST"
        let target = String(parts.count > 1 ? parts[1] : parts.first ?? "")
        let pathAndQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = pathAndQuery.first.map(String.init) ?? ""
        if mode % 4 == 0 {
            return CallbackRequest(method: method, path: path, query: pathAndQuery.count > 1 ? String(pathAndQuery[1]) : "", body: body)
        }
        let encrypt: String
        switch mode % 4 {
        case 1: encrypt = String(decoding: body, as: UTF8.self)
        case 2: guard let text = try? crypto.encrypt(body) else { return nil }; encrypt = text
        default:
            let blocks = Array(body.prefix(body.count - body.count % 16))
            guard !blocks.isEmpty, let padded = try? crypto.encryptMedia(blocks) else { return nil }
            encrypt = Data(padded.prefix(blocks.count)).base64EncodedString()
        }
        return Self.signedPost(path: path, encrypt: encrypt)
    }

    /// A POST of `{"encrypt": encrypt}` signed with the harness token.
    static func signedPost(path: String, encrypt: String) -> CallbackRequest {
        let signature = WeComCrypto.signature(token: token, timestamp: timestamp, nonce: nonce, encrypt: encrypt)
        let body = Array((#"{"encrypt":"# + jsonString(encrypt) + "}").utf8)
        return CallbackRequest(method: "POST", path: path, query: "msg_signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)", body: body)
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
