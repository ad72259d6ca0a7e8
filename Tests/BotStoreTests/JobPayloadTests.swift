import BotStore
import Foundation
import Testing
import WeComModel

/// The one codec of the job payload: what a responder writes, a worker reads back.
@Suite struct JobPayloadTests {
    let raw = Array(#"{"msgid":"m1","aibotid":"aibX","from":{"userid":"u1"},"msgtype":"text","text":{"content":"@Bot 你好"},"extra":{"new":1}}"#.utf8)

    @Test func splicesTheRawMessageAndEscapesText() throws {
        let payload = JobPayload.encode(message: raw, text: "第一行\n\"引号\" \\ \u{01}")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
        #expect(object["v"] as? Int == 1)
        #expect(object["text"] as? String == "第一行\n\"引号\" \\ \u{01}")
        let message = try #require(object["message"] as? [String: Any])
        #expect(message["msgid"] as? String == "m1")
        #expect(message["extra"] as? [String: Int] == ["new": 1], "fields the model does not know are kept")
        #expect(JobPayload.encode(message: raw, text: nil).contains(#""text":null"#))
    }

    @Test func roundTrips() throws {
        for text in ["你好", "第一行\n\"引号\" \\ \u{01}", "", nil] as [String?] {
            let read = try JobPayload(decoding: JobPayload.encode(message: raw, text: text))
            #expect(read == JobPayload(message: try InboundMessage.decode(raw), text: text))
        }
    }

    /// The exact bytes responders have always written, so jobs queued before an upgrade still run.
    @Test func readsThePayloadFormatAlreadyInQueues() throws {
        let stored = #"{"v":1,"text":"你好","message":{"msgid":"m","aibotid":"a","chattype":"group","chatid":"wrG","from":{"userid":"u"},"msgtype":"text","text":{"content":"@Bot 你好"},"response_url":"https://example.com/r?code=1"}}"#
        let read = try JobPayload(decoding: stored)
        #expect(read.text == "你好")
        #expect(read.message.msgID == "m")
        #expect(read.message.chatID == "wrG")
        #expect(read.message.content == .text("@Bot 你好"))
        #expect(read.message.responseURL == "https://example.com/r?code=1")
        #expect(try JobPayload(decoding: #"{"v":1,"text":null,"message":{"msgid":"m","msgtype":"image","image":{"url":"http://x/1"}}}"#).text == nil)
    }

    @Test func refusesWhatItDidNotWrite() {
        #expect(throws: WeComModelError.malformed("job payload: message missing")) { try JobPayload(decoding: #"{"v":1,"text":"x"}"#) }
        #expect(throws: WeComModelError.malformed("job payload: unknown version 2")) {
            try JobPayload(decoding: #"{"v":2,"text":"x","message":{"msgid":"m","msgtype":"text","text":{"content":"x"}}}"#)
        }
        #expect(throws: WeComModelError.self) { try JobPayload(decoding: "not json") }
    }
}
