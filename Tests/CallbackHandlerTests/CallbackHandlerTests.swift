import BotConfig
import BotStore
import Foundation
import Logging
import SQLiteStore
import Testing
import WeComCrypto
import WeComModel
@testable import CallbackHandler

/// The handler against a real SQLite file, with an injected clock. A class, so that `deinit`
/// closes the store and removes the file after each test.
@Suite final class CallbackHandlerTests {
    let token = "tok-handler"
    let key = EncodingAESKeyGenerator.make()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("handler-\(UUID().uuidString).sqlite3").path
    let store: SQLiteStore
    /// The backend of the same file, for its job signal (a datagram into `path-wake/`).
    let backend: SQLiteBackend
    let configuration: Configuration
    let handler: CallbackHandler
    let crypto: WeComCrypto

    init() throws {
        store = try SQLiteStore(path: path)
        try store.migrate()
        configuration = try Configuration(values: ["WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key,
                                                   "WECOM_WELCOME_TEXT": "你好，我是助手"])
        backend = SQLiteBackend(path: path, wakeDirectory: path + "-wake")
        handler = CallbackHandler(configuration: configuration, store: store, jobSignal: backend.makeJobSignal(),
                                  logger: Logger(label: "test"), now: { 1_700_000_000 })
        crypto = try WeComCrypto(token: token, encodingAESKey: key)
    }

    deinit {
        store.close()
        for suffix in ["", "-wal", "-shm", "-wake"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func post(_ json: String, nonce: String = "42", to handler: CallbackHandler? = nil) throws -> CallbackResponse {
        let encrypt = try crypto.encrypt(Array(json.utf8))
        let sig = WeComCrypto.signature(token: token, timestamp: "1700000000", nonce: nonce, encrypt: encrypt)
        return (handler ?? self.handler).handle(CallbackRequest(method: "POST", path: "/aibX",
                                              query: "msg_signature=\(sig)&timestamp=1700000000&nonce=\(nonce)",
                                              body: Array(#"{"encrypt":"\#(encrypt)"}"#.utf8)))
    }

    func open(_ response: CallbackResponse) throws -> JSONValue {
        let envelope = try JSONValue.parse(response.body)
        #expect(envelope["nonce"]?.stringValue == "42")
        #expect(envelope["timestamp"]?.stringValue == "1700000000")
        let encrypt = try #require(envelope["encrypt"]?.stringValue)
        try crypto.verifySignature(try #require(envelope["msgsignature"]?.stringValue),
                                   timestamp: "1700000000", nonce: "42", encrypt: encrypt)
        return try JSONValue.parse(try crypto.decrypt(encrypt))
    }

    @Test func messageThenRefreshThenRedelivery() throws {
        let text = #"{"msgid":"h1","aibotid":"aibX","chattype":"single","from":{"userid":"u1"},"msgtype":"text","text":{"content":"hi"}}"#
        let first = try post(text)
        #expect(first.status == 200)
        let reply = try open(first)
        let streamID = try #require(reply["stream"]?["id"]?.stringValue)
        #expect(reply["stream"]?["finish"]?.boolValue == false)
        #expect(first.logFields.contains { $0 == ("stream", streamID) })
        #expect(first.logFields.contains { $0 == ("msgid", "h1") })

        try store.updateStream(id: streamID, content: "partial", now: 1_700_000_001)
        let refresh = #"{"msgid":"r1","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"stream","stream":{"id":"\#(streamID)"}}"#
        let polled = try post(refresh)
        #expect(try open(polled)["stream"]?["content"]?.stringValue == "partial")
        #expect(polled.routine && !first.routine, "only refresh polls are routine (logged at debug)")

        let again = try open(try post(text))
        #expect(again["stream"]?["id"]?.stringValue == streamID)
        #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 1)
    }

    /// Only a message that queued a job signals the workers: not its redelivery, not a poll.
    @Test func aNewJobSignalsTheWorkersOnce() throws {
        let waiter = try backend.makeJobWaiter()
        let text = #"{"msgid":"w1","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"text","text":{"content":"hi"}}"#
        let streamID = try #require(try open(try post(text))["stream"]?["id"]?.stringValue)
        #expect(waiter.wait(timeout: 10))
        #expect(try post(text).status == 200)
        let refresh = #"{"msgid":"r3","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"stream","stream":{"id":"\#(streamID)"}}"#
        #expect(try post(refresh).status == 200)
        #expect(!waiter.wait(timeout: 0), "a redelivery or a poll queued nothing")
    }

    @Test func longContentIsCutOnACharacterBoundary() throws {
        let text = #"{"msgid":"h2","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"text","text":{"content":"长"}}"#
        let streamID = try #require(try open(try post(text))["stream"]?["id"]?.stringValue)
        try store.updateStream(id: streamID, content: String(repeating: "长", count: 7000), now: 1_700_000_001)
        let refresh = #"{"msgid":"r2","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"stream","stream":{"id":"\#(streamID)"}}"#
        let content = try #require(try open(try post(refresh))["stream"]?["content"]?.stringValue)
        #expect(content.utf8.count == 20478)
        #expect(content == String(repeating: "长", count: 6826))
    }

    @Test func welcomeFromConfiguration() throws {
        let event = #"{"msgid":"e1","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"event","event":{"eventtype":"enter_chat"}}"#
        let reply = try open(try post(event))
        #expect(reply["msgtype"]?.stringValue == "text")
        #expect(reply["text"]?["content"]?.stringValue == "你好，我是助手")
    }

    @Test func unknownMsgTypeIsAnEmptyReplyAndWritesNothing() throws {
        let json = #"{"msgid":"u1","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"location","location":{}}"#
        let response = try post(json)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(try store.scalarInt("SELECT count(*) FROM messages") == 0)
    }

    @Test func oversizedBodyIs413() throws {
        let response = handler.handle(CallbackRequest(method: "POST", path: "/aibX", query: "",
                                                      body: Array(repeating: 0x20, count: 262_145)))
        #expect(response.status == 413)
        #expect(response.reason == "body of 262145 bytes exceeds 262144")
    }

    /// While another connection holds the write lock (an operator's `BEGIN IMMEDIATE`), a new
    /// message and a feedback event get 503 with the cause in the log reason, and a refresh of
    /// an existing stream still gets its frame; once the lock is released, the message delivered
    /// again is stored once.
    @Test func aWriteTheStoreCannotTakeIs503AndRefreshesGoOn() throws {
        let waiting = try SQLiteStore(path: path, callbackWait: .milliseconds(200))
        defer { waiting.close() }
        let handler = CallbackHandler(configuration: configuration, store: waiting, jobSignal: nil,
                                      logger: Logger(label: "test"), now: { 1_700_000_000 })
        let first = #"{"msgid":"b1","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"text","text":{"content":"hi"}}"#
        let streamID = try #require(try open(try post(first, to: handler))["stream"]?["id"]?.stringValue)
        let holder = try SQLiteStore(path: path)
        defer { holder.close() }
        try holder.execute("BEGIN IMMEDIATE")

        let second = #"{"msgid":"b2","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"text","text":{"content":"again"}}"#
        let refused = try post(second, to: handler)
        #expect(refused.status == 503)
        #expect(refused.body == Array("service unavailable\n".utf8))
        #expect(refused.headers.isEmpty)
        let reason = refused.reason ?? ""
        #expect(reason.hasPrefix("store unavailable: database is locked (another connection holds the write lock) after "),
                "\(reason)")
        #expect(refused.logFields.contains { $0 == ("msgid", "b2") })
        let feedback = #"{"msgid":"f1","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"event","event":{"eventtype":"feedback_event","feedback_event":{"id":"fb","type":1}}}"#
        #expect(try post(feedback, to: handler).status == 503)
        let refresh = #"{"msgid":"r9","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"stream","stream":{"id":"\#(streamID)"}}"#
        #expect(try open(try post(refresh, to: handler))["stream"]?["id"]?.stringValue == streamID)

        try holder.execute("ROLLBACK")
        let stored = try #require(try open(try post(second, to: handler))["stream"]?["id"]?.stringValue)
        #expect(try open(try post(second, to: handler))["stream"]?["id"]?.stringValue == stored)
        #expect(try post(feedback, to: handler).status == 200)
        #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 2)
        #expect(try store.scalarInt("SELECT count(*) FROM messages WHERE msgid = 'b2'") == 1)
        #expect(try store.scalarInt("SELECT count(*) FROM feedback") == 1)
    }

    /// A store failure that does not pass (here a missing table) stays a 500.
    @Test func aStoreFailureThatDoesNotPassIs500() throws {
        try store.execute("DROP TABLE feedback")
        let feedback = #"{"msgid":"f2","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"event","event":{"eventtype":"feedback_event","feedback_event":{"id":"fb","type":1}}}"#
        let response = try post(feedback)
        #expect(response.status == 500)
        #expect(response.body == Array("internal error\n".utf8))
        #expect(response.reason?.hasPrefix("internal: SQLite error 1: no such table: feedback") == true, "\(response.reason ?? "")")
    }
}
