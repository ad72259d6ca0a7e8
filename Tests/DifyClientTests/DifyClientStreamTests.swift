import DifyStandIn
import Foundation
import Testing
@testable import DifyClient

/// The head of a chunked `text/event-stream` response.
private let sseHead = [
    "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "Transfer-Encoding": "chunked",
]
private let closing = sseHead.merging(["Connection": "close"]) { $1 }

/// One SSE data event for `json`.
private func data(_ json: String) -> String { "data: \(json)\n\n" }

/// A Dify stand-in answering every chat request with `script`.
private func standIn(_ script: DifyScript) throws -> DifyStandIn {
    let standIn = try DifyStandIn(apiKey: key)
    standIn.defaultScript = script
    return standIn
}

/// A Dify stand-in whose every chat response is written by `respond`.
private func standIn(_ respond: @escaping @Sendable (HTTPResponseWriter) -> Void) throws -> DifyStandIn {
    try standIn(.custom { _, writer in respond(writer) })
}

/// A server answering every request with `stream` as separate chunks, with short pauses between;
/// without `terminate` the connection drops after the last piece.
private func streamingServer(_ pieces: [[UInt8]], terminate: Bool = true) throws -> DifyStandIn {
    try standIn { writer in
        writer.writeHead(status: 200, headers: closing)
        for piece in pieces {
            guard writer.write(piece) else { return }
            writer.pause(millis: 5)
        }
        if !terminate { writer.closeAbruptly() }
    }
}

private func streamingServer(_ text: String, terminate: Bool = true) throws -> DifyStandIn {
    try streamingServer([Array(text.utf8)], terminate: terminate)
}

private let key = "app-SECRETKEY123"
private let limits = StreamLimits(idleTimeout: 20, totalTimeout: 60, connectTimeout: 5)

private func endpoint(_ server: DifyStandIn) -> DifyAgentEndpoint {
    DifyAgentEndpoint(baseURL: server.apiBaseURL, apiKey: key)
}

private let request = ChatRequest(query: "你好", user: "wecom:corp:user")

/// Runs `streamChat` to its end, returning the answer (or Dify's failure) and every event the callback saw.
private func run(
    _ server: DifyStandIn, _ request: ChatRequest = request, limits: StreamLimits = limits
) -> (Result<ChatSummary, DifyError>, [DifyEvent]) {
    var events: [DifyEvent] = []
    let result = Result { () throws(DifyError) in
        let outcome = try DifyClient().streamChat(request, endpoint: endpoint(server), limits: limits) { event, _ in
            events.append(event)
            return .continue
        }
        return finished(outcome)
    }
    return (result, events)
}

/// The answer of a stream no callback stopped.
private func finished(_ outcome: ChatStreamOutcome) -> ChatSummary {
    guard case .finished(let summary) = outcome else {
        Issue.record("expected a finished stream, got \(outcome)")
        return ChatSummary()
    }
    return summary
}

/// A reason to stop, as a caller gives it.
private struct LeaseGone: Error, Equatable {
    var job: Int
}

@Suite(.timeLimit(.minutes(1))) struct DifyClientStreamTests {
    @Test func anAnswerSplitAcrossManyWritesArrivesWhole() throws {
        let text = "event: ping\n\n"
            + data(#"{"event":"message","task_id":"t1","id":"m1","message_id":"m1","conversation_id":"c1","answer":"你好，"}"#)
            + "event: ping\n\n"
            + data(#"{"event":"message","task_id":"t1","id":"m1","message_id":"m1","conversation_id":"c1","answer":"世界 🌏！"}"#)
            + ": comment\n\n"
            + data(#"{"event":"message_end","task_id":"t1","id":"m1","message_id":"m1","conversation_id":"c1","metadata":{}}"#)
        let bytes = Array(text.utf8)
        // Cut every 7 bytes: through "data:", JSON, the blank lines and the middle of 你, 世 and 🌏.
        let pieces = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min($0 + 7, bytes.count)]) }
        let server = try streamingServer(pieces)
        defer { server.stop() }
        let (result, events) = run(server)
        let summary = try result.get()
        #expect(summary == ChatSummary(
            conversationID: "c1", messageID: "m1", taskID: "t1", answer: "你好，世界 🌏！", files: [], sawAnyAnswer: true))
        #expect(events == [
            .ping,
            .message(answer: "你好，", conversationID: "c1", messageID: "m1", taskID: "t1"),
            .ping,
            .message(answer: "世界 🌏！", conversationID: "c1", messageID: "m1", taskID: "t1"),
            .messageEnd(conversationID: "c1", messageID: "m1"),
        ])
    }

    @Test func theRequestCarriesExactlyTheRightBodyAndHeaders() throws {
        let server = try streamingServer(data(#"{"event":"message_end","conversation_id":"c9"}"#))
        defer { server.stop() }
        let turn = ChatRequest(
            query: "看看这张图 \"quoted\" / slash", user: "wecom:corp:u1", conversationID: "c9",
            files: [DifyFileRef(type: "image", uploadFileID: "f-1")])
        _ = try run(server, turn).0.get()
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.target == "/v1/chat-messages")
        #expect(received.headers["authorization"] == "Bearer \(key)")
        #expect(received.headers["content-type"] == "application/json")
        #expect(received.headers["accept"] == "text/event-stream")
        #expect(received.headers["expect"] == nil)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? NSDictionary)
        let expected: NSDictionary = [
            "inputs": NSDictionary(), "query": "看看这张图 \"quoted\" / slash", "response_mode": "streaming",
            "user": "wecom:corp:u1", "conversation_id": "c9", "auto_generate_name": false,
            "files": [["type": "image", "transfer_method": "local_file", "upload_file_id": "f-1"]],
        ]
        #expect(json == expected)
    }

    @Test func aNewConversationSendsAnEmptyConversationID() throws {
        let server = try streamingServer(data(#"{"event":"message_end","conversation_id":"new"}"#))
        defer { server.stop() }
        #expect(try run(server).0.get().conversationID == "new")
        let body = String(decoding: try #require(server.requests.first).body, as: UTF8.self)
        #expect(body.contains(#""conversation_id":"""#))
        #expect(body.contains(#""files":[]"#))
        #expect(body.contains(#""inputs":{}"#))
    }

    @Test func messageReplaceReplacesTheAnswer() throws {
        let server = try streamingServer(
            data(#"{"event":"message","answer":"bad words","conversation_id":"c"}"#)
                + data(#"{"event":"message_replace","answer":"Sorry, I can't say that.","conversation_id":"c"}"#)
                + data(#"{"event":"message_end","conversation_id":"c"}"#))
        defer { server.stop() }
        #expect(try run(server).0.get().answer == "Sorry, I can't say that.")
    }

    @Test func agentMessagesAndFilesAreCollected() throws {
        let server = try streamingServer(
            data(#"{"event":"agent_thought","id":"th","thought":"drawing","conversation_id":"c2"}"#)
                + data(#"{"event":"agent_message","answer":"Here ","conversation_id":"c2","message_id":"m2"}"#)
                + data(#"{"event":"message_file","id":"f","type":"image","belongs_to":"assistant","url":"/files/tools/a.png?timestamp=1&sign=x","conversation_id":"c2"}"#)
                + data(#"{"event":"agent_message","answer":"it is.","conversation_id":"c2","message_id":"m2"}"#)
                + data(#"{"event":"message_end","conversation_id":"c2","message_id":"m2"}"#))
        defer { server.stop() }
        let (result, events) = run(server)
        let summary = try result.get()
        #expect(summary.answer == "Here it is.")
        #expect(summary.files == ["/files/tools/a.png?timestamp=1&sign=x"])
        #expect(summary.conversationID == "c2")
        #expect(events.first == .other("agent_thought"))
        #expect(events.contains(.messageFile(url: "/files/tools/a.png?timestamp=1&sign=x", type: "image", belongsTo: "assistant")))
    }

    @Test func anErrorEventIsSeenAndThrownAsStreamError() throws {
        let server = try streamingServer(
            data(#"{"event":"message","answer":"partial","conversation_id":"c3"}"#)
                + data(#"{"event":"error","conversation_id":"c3","message_id":"m3","status":400,"code":"completion_request_error","message":"Rate limit reached"}"#))
        defer { server.stop() }
        let (result, events) = run(server)
        #expect(throws: DifyError.streamError(status: 400, code: "completion_request_error", message: "Rate limit reached")) {
            try result.get()
        }
        #expect(events.last == .error(status: 400, code: "completion_request_error", message: "Rate limit reached"))
    }

    @Test func invalidEventsAreSkipped() throws {
        let server = try streamingServer(
            data("{oops") + data(#"{"event":"message","answer":"ok"}"#) + data(#"{"event":"message_end"}"#))
        defer { server.stop() }
        let (result, events) = run(server)
        #expect(try result.get().answer == "ok")
        guard case .invalid = events.first else {
            Issue.record("expected .invalid first, got \(events)")
            return
        }
    }

    @Test func aMissingConversationIsAnHTTPErrorThatSaysSo() throws {
        let server = try standIn(.httpError(
            status: 404, body: #"{"code":"not_found","message":"Conversation Not Exists.","status":404}"#))
        defer { server.stop() }
        let (result, events) = run(server, ChatRequest(query: "hi", user: "u", conversationID: "stale"))
        #expect(throws: DifyError.http(status: 404, code: "not_found", message: "Conversation Not Exists.")) {
            try result.get()
        }
        #expect(events.isEmpty)
        if case .failure(let error) = result {
            #expect(error.isConversationMissing)
            #expect(!error.isTransient)
        }
    }

    @Test func aServerErrorIsTransient() throws {
        let server = try standIn(.httpError(
            status: 500, body: #"{"code":"internal_server_error","message":"Internal Server Error, please contact support.","status":500}"#))
        defer { server.stop() }
        let error = run(server).0.failure
        #expect(error == .http(status: 500, code: "internal_server_error", message: "Internal Server Error, please contact support."))
        #expect(error?.isTransient == true)
    }

    @Test func aProxyErrorPageBecomesShortText() throws {
        let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
        let server = try standIn(.httpError(status: 502, body: page, contentType: "text/html"))
        defer { server.stop() }
        let error = run(server).0.failure
        #expect(error == .http(status: 502, code: "", message: "502 Bad Gateway 502 Bad Gateway nginx/1.22.1"))
        #expect(error?.isTransient == true)
    }

    @Test func aHugeErrorBodyIsCutNotBuffered() throws {
        let server = try standIn { writer in
            writer.writeHead(status: 503, headers: ["Content-Type": "text/plain"], framing: .closeDelimited)
            for _ in 0..<64 { guard writer.write([UInt8](repeating: 0x78, count: 16 << 10)) else { return } }
        }
        defer { server.stop() }
        guard case .http(503, "", let message)? = run(server).0.failure else {
            Issue.record("expected HTTP 503")
            return
        }
        #expect(message.count <= DifyError.maxRawMessageLength + 1)
    }

    @Test func theKeyNeverAppearsInErrors() throws {
        let server = try standIn(.httpError(
            status: 401, body: #"{"code":"unauthorized","message":"Access token is invalid","status":401}"#))
        defer { server.stop() }
        let error = run(server).0.failure
        #expect(error == .http(status: 401, code: "unauthorized", message: "Access token is invalid"))
        let text = error.map { "\($0) \(String(reflecting: $0))" } ?? ""
        #expect(!text.contains(key))
    }

    @Test func silenceAfterTheFirstEventIsAnIdleTimeout() throws {
        let server = try standIn { writer in
            writer.writeHead(status: 200, headers: closing)
            writer.write(Array(data(#"{"event":"message","answer":"Hi","conversation_id":"c4"}"#).utf8))
            writer.waitUntilAborted()
        }
        defer { server.stop() }
        let (result, events) = run(server, limits: StreamLimits(idleTimeout: 1, totalTimeout: 60))
        #expect(result.failure == .idleTimeout(1))
        #expect(events == [.message(answer: "Hi", conversationID: "c4", messageID: nil, taskID: nil)])
    }

    @Test func aServerThatNeverAnswersIsAnIdleTimeout() throws {
        let server = try standIn { writer in writer.waitUntilAborted() }
        defer { server.stop() }
        #expect(run(server, limits: StreamLimits(idleTimeout: 1, totalTimeout: 60)).0.failure == .idleTimeout(1))
    }

    @Test func silenceAfterMessageEndLosesNothing() throws {
        let server = try standIn { writer in
            writer.writeHead(status: 200, headers: closing)
            writer.write(Array((data(#"{"event":"message","answer":"done"}"#) + data(#"{"event":"message_end"}"#)).utf8))
            writer.waitUntilAborted()
        }
        defer { server.stop() }
        #expect(try run(server, limits: StreamLimits(idleTimeout: 1, totalTimeout: 60)).0.get().answer == "done")
    }

    @Test func pingsKeepAStreamAliveUntilTheTotalTimeout() throws {
        let server = try standIn { writer in
            writer.writeHead(status: 200, headers: closing)
            // Pings every 100 ms for up to 30 s: never idle, so only the total cap can end it.
            for _ in 0..<300 {
                guard writer.write(Array("event: ping\n\n".utf8)), writer.pause(millis: 100) else { return }
            }
        }
        defer { server.stop() }
        let (result, events) = run(server, limits: StreamLimits(idleTimeout: 1, totalTimeout: 2))
        #expect(result.failure == .totalTimeout(2))
        #expect(events.allSatisfy { $0 == .ping })
    }

    @Test func aClosedPortIsUnreachable() throws {
        let endpoint = DifyAgentEndpoint(baseURL: "http://127.0.0.1:\(try HTTPServer.closedPort())/v1", apiKey: key)
        let result = Result { () throws(DifyError) in
            try DifyClient().streamChat(request, endpoint: endpoint, limits: limits) { _, _ in .continue }
        }
        guard case .unreachable(let reason)? = result.failure else {
            Issue.record("expected .unreachable, got \(result)")
            return
        }
        #expect(reason.contains("127.0.0.1"))
        #expect(!reason.contains(key))
        #expect(result.failure?.isTransient == true)
    }

    @Test func aStreamCutWithoutMessageEndIsTruncated() throws {
        let server = try streamingServer(data(#"{"event":"message","answer":"half","conversation_id":"c5"}"#), terminate: false)
        defer { server.stop() }
        let (result, events) = run(server)
        #expect(result.failure == .truncated)
        #expect(events.count == 1)
    }

    @Test func aCleanlyClosedStreamWithoutMessageEndIsTruncated() throws {
        let server = try streamingServer(data(#"{"event":"message","answer":"half"}"#) + "event: ping\n\n")
        defer { server.stop() }
        #expect(run(server).0.failure == .truncated)
    }

    @Test func aFinalEventWithoutItsBlankLineStillCounts() throws {
        let server = try streamingServer(data(#"{"event":"message","answer":"done"}"#) + #"data: {"event":"message_end"}"#)
        defer { server.stop() }
        #expect(try run(server).0.get().answer == "done")
    }

    @Test func aNonStreamResponseIsInvalid() throws {
        let server = try standIn(.httpError(status: 200, body: #"{"event":"message","answer":"blocking"}"#))
        defer { server.stop() }
        guard case .invalidResponse? = run(server).0.failure else {
            Issue.record("expected .invalidResponse")
            return
        }
    }

    @Test func eachEventComesWithTheAnswerSoFar() throws {
        let server = try streamingServer(
            data(#"{"event":"message","answer":"one ","conversation_id":"c7"}"#)
                + data(#"{"event":"message_file","url":"/files/a.png","belongs_to":"assistant"}"#)
                + data(#"{"event":"message","answer":"two"}"#) + data(#"{"event":"message_end"}"#))
        defer { server.stop() }
        var seen: [ChatSummary] = []
        let outcome = try DifyClient().streamChat(request, endpoint: endpoint(server), limits: limits) { _, received in
            seen.append(received)
            return .continue
        }
        #expect(seen.map(\.answer) == ["one ", "one ", "one two", "one two"])
        #expect(seen.map(\.files) == [[], ["/files/a.png"], ["/files/a.png"], ["/files/a.png"]])
        #expect(seen.allSatisfy { $0.conversationID == "c7" })
        #expect(finished(outcome) == seen.last)
    }

    @Test func theCallbackCanStopTheTransferWithItsReason() throws {
        let server = try streamingServer(
            data(#"{"event":"message","answer":"one"}"#) + data(#"{"event":"message","answer":"two"}"#)
                + data(#"{"event":"message_end"}"#))
        defer { server.stop() }
        var events: [DifyEvent] = []
        let outcome = try DifyClient().streamChat(request, endpoint: endpoint(server), limits: limits) { event, _ in
            events.append(event)
            return .stop(LeaseGone(job: 7))
        }
        guard case .stopped(let reason) = outcome else {
            Issue.record("expected the caller's stop, got \(outcome)")
            return
        }
        #expect(reason as? LeaseGone == LeaseGone(job: 7))
        #expect(events == [.message(answer: "one", conversationID: nil, messageID: nil, taskID: nil)])
    }

    @Test func aTickCanStopASilentStreamWithItsReason() throws {
        let server = try standIn { writer in
            writer.writeHead(status: 200, headers: closing)
            writer.write(Array(data(#"{"event":"message","answer":"Hi"}"#).utf8))
            writer.waitUntilAborted()
        }
        defer { server.stop() }
        var sawEvent = false
        let outcome = try DifyClient().streamChat(
            request, endpoint: endpoint(server), limits: limits,
            onTick: { sawEvent ? .stop(LeaseGone(job: 8)) : .continue }
        ) { _, _ in
            sawEvent = true
            return .continue
        }
        guard case .stopped(let reason) = outcome else {
            Issue.record("expected the tick's stop, got \(outcome)")
            return
        }
        #expect(reason as? LeaseGone == LeaseGone(job: 8))
    }

    @Test func oneClientReusesItsConnection() throws {
        let server = try standIn { writer in
            writer.writeHead(status: 200, headers: sseHead)
            writer.write(Array(data(#"{"event":"message","answer":"x"}"#).utf8))
            writer.write(Array(data(#"{"event":"message_end"}"#).utf8))
        }
        defer { server.stop() }
        let client = DifyClient()
        for _ in 0..<3 {
            let outcome = try client.streamChat(request, endpoint: endpoint(server), limits: limits) { _, _ in .continue }
            #expect(finished(outcome).answer == "x")
        }
        #expect(server.requests.count == 3)
        #expect(server.server.acceptedConnections == 1)
    }
}

extension Result {
    /// The error, if this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
