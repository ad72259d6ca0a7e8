import Foundation
import Testing
import WeComCrypto

/// The responder as a process: its log line per request, and a clean drain on SIGTERM.
@Suite(.serialized) struct ResponderLifecycleTests {
    @Test func oneLogLinePerRequestWithItsFieldsAndNoSecrets() throws {
        let token = "tok" + SecureRandom.alphanumeric(12), key = EncodingAESKeyGenerator.make()
        let stack = try ResponderStack(instances: 1, processes: 1,
                                       environment: ["WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key])
        defer { stack.stop() }
        let wecom = try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key)
        let streamID = try wecom.send(WeComSimulator.text(msgID: "log-1", content: "hi"))
        try waitUntil("the request log line") { stack.logs.contains("stream=\(streamID)") }
        let line = try #require(stack.logs.split(separator: "\n").first { $0.contains("stream=\(streamID)") })
        #expect(line.contains("POST /wecom/callback/aibTEST 200"))
        #expect(line.contains("botid=aibTEST"))
        #expect(line.contains("msgtype=text"))
        #expect(line.contains("msgid=log-1"))
        #expect(line.contains("fcgi.duration_us="))
        #expect(!stack.logs.contains(token) && !stack.logs.contains(key))
        #expect(!stack.logs.contains("msg_signature"), "the query string carries signatures and is never logged")
    }

    @Test func sigtermDrainsAndExitsCleanly() throws {
        let stack = try ResponderStack(instances: 1, processes: 2)
        defer { stack.stop() }
        let master = try #require(stack.responders.first)
        let socket = stack.scratch + "/fcgi-0.sock"
        #expect(FileManager.default.fileExists(atPath: socket))
        #expect(master.stop(signal: SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: socket), "the master removes its own socket")
    }
}
