import DifyStandIn
import Foundation
import Testing
import WeComCrypto

/// Issue 7, end to end (the unit tests in DifyClientTests cover SafeFetcher, AddressPolicy and
/// ResponseURLPoster): a real worker refuses a loopback media URL unless told otherwise, and
/// posts only to allowed response_url origins.
@Suite(.serialized) struct OutboundSafetyTests {
    @Test func loopbackMediaIsRefusedWithoutAllowPrivateFetch() throws {
        let s = try AnswerStack(environment: ["WECOM_ALLOW_PRIVATE_FETCH": "0"])
        defer { s.stop() }
        s.dify.defaultScript = .answer(text: "不该走到这里")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("tiny".utf8)
        let url = s.dify.serve(path: "/cos/private-1", bytes: Data(try s.wecom.crypto.encryptMedia(png)),
                               contentType: "application/octet-stream")
        let streamID = try s.wecom.send(WeComSimulator.image(msgID: "o-private", url: url))
        let final = try s.wecom.final(streamID: streamID)
        #expect((final["content"] as? String)?.contains("下载失败") == true, "the user reads why: \(final)")
        let job = try s.job(stream: streamID)
        #expect(job.hasPrefix("dead|1|media: download: fetch refused"), "job: \(job)")
        #expect(job.contains("127.0.0.1 is not a public address"))
        #expect(s.dify.requests.allSatisfy { $0.target != "/cos/private-1" }, "the URL was fetched")
        #expect(s.dify.chatRequests.isEmpty && s.dify.uploads.isEmpty)
    }

    @Test func responseURLIsPostedOnlyToAnAllowedOrigin() throws {
        // The stand-in's origin (127.0.0.1) is allowed; the same server named "localhost" is not.
        let s = try AnswerStack(environment: ["WECOM_STREAM_DEADLINE": "2"])
        defer { s.stop() }
        let gate = Gate()
        s.dify.defaultScript = .gated(chunks: ["慢慢来，", "好了。"], gate: gate)
        let allowed = s.dify.responseURL(code: "CODE-ALLOWED")
        let denied = allowed.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            .replacingOccurrences(of: "CODE-ALLOWED", with: "CODE-DENIED")
        let ok = try s.wecom.send(WeComSimulator.text(msgID: "o-allowed", content: "一", responseURL: allowed))
        let no = try s.wecom.send(WeComSimulator.text(msgID: "o-denied", content: "二", responseURL: denied))
        #expect(gate.waitForWaiters(2, timeout: 10))
        // Both streams close at the deadline; the answers then go to response_url.
        _ = try s.wecom.final(streamID: ok, timeout: 15)
        _ = try s.wecom.final(streamID: no, timeout: 15)
        gate.openAll()
        #expect(s.dify.waitForPostedResponses(count: 1, code: "CODE-ALLOWED", timeout: 15))
        let port = s.dify.port
        try waitUntil(timeout: 15, "the refusal in the worker log") {
            s.stack.logs.contains("response_url refused: http://localhost:\(port) is not an allowed destination")
        }
        #expect(s.dify.postedResponses.map(\.code) == ["CODE-ALLOWED"])
        #expect(s.dify.requests.allSatisfy { !$0.target.contains("CODE-DENIED") })
        #expect(!s.stack.logs.contains("CODE-ALLOWED") && !s.stack.logs.contains("CODE-DENIED"))
    }
}
