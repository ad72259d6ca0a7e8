import BotConfig
import BotStore
import Foundation
import Logging
import SQLiteStore
import Synchronization
import Testing
import WeComCrypto
@testable import CallbackHandler

/// Bots rows are read at most once per clock second: a `wecomctl bots` change applies as
/// soon as the second changes, and not before.
@Suite struct BotRowCacheTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("botcache-\(UUID().uuidString).sqlite3").path

    /// A URL verification for `botid` signed with `token`/`key`; its HTTP status.
    func verify(_ handler: CallbackHandler, botid: String, token: String, key: String) throws -> Int {
        let crypto = try WeComCrypto(token: token, encodingAESKey: key)
        let echostr = try crypto.encrypt(Array("echo".utf8))
        let sig = WeComCrypto.signature(token: token, timestamp: "1", nonce: "n", encrypt: echostr)
        let escaped = echostr.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return handler.handle(CallbackRequest(method: "GET", path: "/\(botid)",
                                              query: "msg_signature=\(sig)&timestamp=1&nonce=n&echostr=\(escaped)",
                                              body: [])).status
    }

    @Test func aChangedRowAppliesWhenTheSecondChanges() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteStore(path: path)
        try store.migrate()
        let oldKey = EncodingAESKeyGenerator.make(), newKey = EncodingAESKeyGenerator.make()
        try store.saveBot(BotRecord(botID: "aibC", token: "old", encodingAESKey: oldKey))
        let clock = Mutex<Int64>(100)
        let handler = CallbackHandler(configuration: try Configuration(values: [:]), store: store, jobSignal: nil,
                                      logger: Logger(label: "test"), now: { clock.withLock { $0 } })
        #expect(try verify(handler, botid: "aibC", token: "old", key: oldKey) == 200)

        try store.saveBot(BotRecord(botID: "aibC", token: "new", encodingAESKey: newKey))
        #expect(try verify(handler, botid: "aibC", token: "old", key: oldKey) == 200, "same second: the cached row")
        #expect(try verify(handler, botid: "aibC", token: "new", key: newKey) == 403)

        clock.withLock { $0 = 101 }
        #expect(try verify(handler, botid: "aibC", token: "new", key: newKey) == 200)
        #expect(try verify(handler, botid: "aibC", token: "old", key: oldKey) == 403)

        try store.removeBot(id: "aibC")
        clock.withLock { $0 = 102 }
        #expect(try verify(handler, botid: "aibC", token: "new", key: newKey) == 404, "no row and no WECOM_* defaults")
    }

    /// A bot in long-connection mode only has no callback: its URL is not found, even with the
    /// `WECOM_*` defaults set, which belong to other botids.
    @Test func aLongConnectionOnlyBotHasNoCallback() throws {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteStore(path: path)
        try store.migrate()
        let key = EncodingAESKeyGenerator.make()
        try store.saveBot(BotRecord(botID: "aibW", token: "", encodingAESKey: "", wsSecret: "ws-secret"))
        let configuration = try Configuration(values: ["WECOM_TOKEN": "tok", "WECOM_ENCODING_AES_KEY": key])
        let handler = CallbackHandler(configuration: configuration, store: store, jobSignal: nil,
                                      logger: Logger(label: "test"), now: { 100 })
        #expect(try verify(handler, botid: "aibW", token: "tok", key: key) == 404)
        #expect(try verify(handler, botid: "aibOther", token: "tok", key: key) == 200)
    }
}
