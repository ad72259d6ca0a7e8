import DifyStandIn
import Foundation
import Testing
import WeComCrypto

/// Issue 7: a full flow at log level trace, then every log line of every process (responders,
/// workers, nginx's error and access logs) is searched for the secrets.
@Suite(.serialized) struct SecretsTests {
    @Test func noSecretReachesAnyLogAtTraceLevel() throws {
        let s = try AnswerStack(environment: ["WECOM_LOG_LEVEL": "trace", "WECOM_STREAM_DEADLINE": "2"])
        defer { s.stop() }
        let codes = ["RC-" + SecureRandom.alphanumeric(24), "RC-" + SecureRandom.alphanumeric(24)]
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("secret-flow-image".utf8)
        let mediaURL = s.dify.serve(path: "/cos/secret-1", bytes: Data(try s.wecom.crypto.encryptMedia(png)),
                                    contentType: "application/octet-stream")
        _ = s.dify.serve(path: "/files/tools/s.png", bytes: Data(png), contentType: "image/png")
        let gate = Gate()
        s.dify.setScript { query in
            switch query {
            case "慢问题": return .gated(chunks: ["慢，", "好了。"], gate: gate)
            case "画图": return .answer(chunks: ["看：", "![图](/files/tools/s.png)"])
            default: return .answer(text: "你好！")
            }
        }

        let (verify, echo) = try s.wecom.verify()
        #expect(verify.status == 200 && verify.text == echo)
        #expect(try s.wecom.post(WeComSimulator.enterChat()).status == 200)
        #expect(try s.wecom.post(WeComSimulator.feedback(msgID: "sec-fb", id: "FB1", type: 1, content: "")).status == 200)
        let text = try s.wecom.send(WeComSimulator.text(msgID: "sec-1", content: "你好", responseURL: s.dify.responseURL(code: codes[0])))
        #expect(try s.wecom.final(streamID: text)["content"] as? String == "你好！")
        let image = try s.wecom.send(WeComSimulator.image(msgID: "sec-2", url: mediaURL))
        _ = try s.wecom.final(streamID: image)
        #expect(s.dify.uploads.count == 1)
        let drawn = try s.wecom.send(WeComSimulator.text(msgID: "sec-3", content: "画图"))
        #expect((try s.wecom.final(streamID: drawn)["msg_item"] as? [Any])?.count == 1)
        // Past the deadline: the stream closes, the answer goes to response_url.
        let slow = try s.wecom.send(WeComSimulator.text(msgID: "sec-4", content: "慢问题", responseURL: s.dify.responseURL(code: codes[1])))
        #expect(gate.waitForWaiters(1, timeout: 10))
        _ = try s.wecom.final(streamID: slow, timeout: 15)
        gate.openAll()
        #expect(s.dify.waitForPostedResponses(count: 1, code: codes[1], timeout: 15))
        try waitUntil("the post in the worker log") { s.stack.logs.contains("answer posted to response_url") }
        // Refused requests log their reasons too.
        #expect(try HTTPClient.request(port: s.stack.port, method: "POST",
                                       target: "/wecom/callback/aibTEST?msg_signature=00&timestamp=1&nonce=1",
                                       body: Array(#"{"encrypt":"abc"}"#.utf8)).status == 403)
        _ = try s.wecom.postAndOpen(WeComSimulator.refresh(streamID: "s-unknown"))

        let nginx = s.stack.nginx.prefix
        let logs = [s.stack.logs] + ["error.log", "access.log"].map {
            (try? String(contentsOfFile: nginx + "/" + $0, encoding: .utf8)) ?? ""
        }
        let all = logs.joined(separator: "\n")
        #expect(all.contains("job finished") && all.contains("POST /wecom/callback/aibTEST 200"))
        let rawKey = [UInt8](Data(base64Encoded: s.key + "=") ?? Data())
        let secrets = [s.token, s.key, rawKey.map { String(format: "%02x", $0) }.joined(), s.dify.apiKey,
                       "SECRETCODE"] + codes
        for secret in secrets {
            #expect(!all.contains(secret), "a secret (\(secret.prefix(6))…) is in a log line")
        }
    }
}
