import FastCGITestClient
import Foundation
import Testing
import WeComCrypto

/// Issue 7: hostile callbacks (on top of RejectionTests' 16). Each one gets its documented
/// status, leaves one log line with its reason, writes nothing, and every responder process
/// is still alive and serving afterwards.
@Suite(.serialized) final class HostileInputTests {
    let token = "tok" + SecureRandom.alphanumeric(12)
    let key = EncodingAESKeyGenerator.make()
    let stack: ResponderStack
    let wecom: WeComSimulator

    init() throws {
        // The responder's own body limit equals nginx's here, so both 413s can be reached.
        stack = try ResponderStack(instances: 1, processes: 2, environment: [
            "WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key, "WECOM_MAX_BODY_BYTES": "65536",
        ])
        wecom = try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key)
        try stack.sqlite("INSERT INTO bots(botid, token, encoding_aes_key, receive_id, created_at) VALUES ('aibRECV', '\(token)', '\(key)', 'wwCORP', 0)")
        _ = try wecom.postAndOpen(WeComSimulator.text(msgID: "seed-1", content: "seed"))
    }

    deinit { stack.stop() }

    static var cases: [HostileCase] { envelopeCases + cryptoCases + payloadCases }

    @Test func atLeastFortyDistinctCases() {
        #expect(Self.cases.count >= 40)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
    }

    @Test(arguments: cases) func refusedWithoutHarm(_ c: HostileCase) throws {
        let before = try stack.dump()
        let reasonLines = logLines(containing: c.reason, status: c.status)
        let masterLog = stack.responders.map(\.log)
        let request = try c.build(wecom)
        let status = try stack.send(request)
        #expect(status == c.status, "\(c.name)")
        #expect(try stack.dump() == before, "\(c.name) changed the database")
        if !c.reason.isEmpty {
            try waitUntil("a log line with \(c.reason)") { logLines(containing: c.reason, status: c.status) > reasonLines }
        }
        // No process died: masters running, no child exit logged since the request.
        for (i, responder) in stack.responders.enumerated() {
            #expect(responder.isRunning)
            let newLog = responder.log.dropFirst(masterLog[i].count)
            #expect(!newLog.contains("restarting"), "\(c.name) killed a responder child: \(newLog)")
        }
        let (verify, expected) = try wecom.verify()
        #expect(verify.status == 200 && verify.text == expected, "not serving after \(c.name)")
    }

    /// A callback replayed long after (same signature, timestamp, nonce, body) is answered
    /// idempotently: the same stream id, and nothing new in the database.
    @Test func replayedOldCallbackIsAnsweredIdempotently() throws {
        let (target, body) = try wecom.signedPost(WeComSimulator.text(msgID: "replayed-1", content: "旧消息"))
        let first = try HTTPClient.request(port: stack.port, method: "POST", target: target, body: body)
        let firstID = try wecom.open(first.body).stream["id"] as? String
        let before = try stack.dump()
        for _ in 0..<3 {
            let again = try HTTPClient.request(port: stack.port, method: "POST", target: target, body: body)
            #expect(again.status == 200)
            #expect(try wecom.open(again.body).stream["id"] as? String == firstID)
        }
        #expect(firstID != nil)
        #expect(try stack.dump() == before)
    }

    /// Request log lines with this status and reason (one line per request).
    private func logLines(containing text: String, status: Int) -> Int {
        text.isEmpty ? 0 : stack.logs.split(separator: "\n").filter { $0.contains(text) && $0.contains(" \(status)") }.count
    }
}

extension ResponderStack {
    /// Sends `request` through nginx, or (`direct`) over FastCGI to the first responder's
    /// socket; returns the HTTP status.
    func send(_ request: HostileRequest) throws -> Int {
        guard request.direct else {
            return try HTTPClient.request(port: port, method: request.method, target: request.target, body: request.body).status
        }
        let parts = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0]), query = parts.count > 1 ? String(parts[1]) : ""
        let params = FastCGITestClient.nginxParams(
            method: request.method, scriptName: "/wecom/callback", pathInfo: String(path.dropFirst("/wecom/callback".count)),
            query: query, contentType: "application/json", contentLength: request.contentLength ?? String(request.body.count))
        return try FastCGITestClient.send(to: scratch + "/fcgi-0.sock", params: params, stdin: request.body).status
    }
}

struct HostileRequest: Sendable {
    var method: String
    var target: String
    var body: [UInt8] = []
    /// FastCGI straight to the responder's socket instead of HTTP through nginx.
    var direct = false
    /// Direct only: the CONTENT_LENGTH to declare instead of the body's length.
    var contentLength: String?
}

struct HostileCase: CustomTestStringConvertible, Sendable {
    var name: String
    var status: Int
    /// Text the responder's log line must contain; empty when nginx answers by itself.
    var reason: String
    var build: @Sendable (WeComSimulator) throws -> HostileRequest
    var testDescription: String { name }

    init(_ name: String, _ status: Int, _ reason: String, build: @escaping @Sendable (WeComSimulator) throws -> HostileRequest) {
        self.name = name; self.status = status; self.reason = reason; self.build = build
    }
}
