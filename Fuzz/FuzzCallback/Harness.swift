import BotConfig
import BotStore
import CallbackHandler
import Foundation
import Logging
import StoreFactory
import WeComCrypto

/// One fuzz input → one callback through the real handler, against the store the factory makes
/// for a database in a temporary folder (SQLite there: it insists on WAL, which `:memory:` cannot
/// do; /dev/shm keeps it in RAM).
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
    /// The handler's clock, and the harness's when it clears what an input queued.
    static let now: Int64 = 1_700_000_000

    let store: any BotStore
    let handler: CallbackHandler
    let crypto: WeComCrypto
    private(set) var answered: [Int: Int] = [:]

    /// The database's folder (whatever files the backend keeps there), removed at exit.
    static let folder: String = {
        let parent = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return parent + "/fuzz-callback-\(getpid())"
    }()

    init() throws {
        let configuration = try Configuration(values: [
            "WECOM_TOKEN": Self.token, "WECOM_ENCODING_AES_KEY": Self.key, "WECOM_DB_PATH": Self.folder + "/callback.sqlite3",
            "WECOM_ENV_FILE": "/nonexistent/.env",
        ])
        Self.removeDatabase()
        atexit { Harness.removeDatabase() }
        let backend = try StoreFactory.backend(for: configuration)
        try backend.prepare()
        store = try backend.openStore()
        try store.saveBot(BotRecord(botID: "aibRECV", token: Self.token, encodingAESKey: Self.key, receiveID: "wwCORP"))
        let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        handler = CallbackHandler(configuration: configuration, store: store, jobSignal: nil, logger: logger, now: { Self.now })
        crypto = try WeComCrypto(token: Self.token, encodingAESKey: Self.key)
    }

    /// Runs one input. An accepted message is cleared again, so every input finds the same
    /// msgids unseen.
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
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Through the store protocol, so the harness runs on any backend: the queued job is finished
    /// and purged with its stream and msgid. (Stored feedback events stay: a redelivered event
    /// gets the same empty reply as a new one.)
    private func reset() {
        var finished = false
        while let job = try? store.claimJob(owner: "fuzz", now: Self.now, lease: 60) {
            _ = try? store.finishJob(jobID: job.id, owner: "fuzz", outcome: JobOutcome(kind: .done, content: ""), now: Self.now)
            finished = true
        }
        if finished { _ = try? store.purge(olderThan: Self.now + 1, batch: 100) }
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
