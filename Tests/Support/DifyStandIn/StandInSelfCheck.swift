import Foundation

/// A failed `DifyStandIn.selfCheck()` expectation.
public struct StandInSelfCheckFailure: Error, CustomStringConvertible, Sendable {
    public let check: String
    public let detail: String
    public var description: String { "DifyStandIn self-check \"\(check)\" failed: \(detail)" }
}

extension DifyStandIn {
    /// Proves, over real sockets and without URLSession or libcurl, that the stand-in speaks
    /// Dify's wire format: SSE framing with pings and split writes (also inside UTF-8
    /// characters), ids on every event, 401/404 error bodies, error events, cut streams,
    /// multipart uploads, media/redirect/response_url routes, gates, the stop API, and a
    /// `stop()` that does not hang on a held stream. Throws `StandInSelfCheckFailure`.
    public static func selfCheck() throws {
        let key = "app-selfcheck-key"
        let standIn = try DifyStandIn(apiKey: key)
        defer { standIn.stop() }
        standIn.splitPauseMicros = 100
        let check = SelfCheck(standIn: standIn, key: key)
        try check.streamingAnswer()
        try check.wireVariants()
        try check.rejections()
        try check.errorEventAndCut()
        try check.agentAndChatflow()
        try check.customScript()
        try check.upload()
        try check.mediaAndResponseURL()
        try check.gateAndStopAPI()
        try check.stopDoesNotHang()
    }
}

/// The self-check's steps (one stand-in, raw-socket requests).
private struct SelfCheck {
    let standIn: DifyStandIn
    let key: String

    func expect(_ condition: @autoclosure () -> Bool, _ check: String, _ detail: @autoclosure () -> String) throws {
        if !condition() { throw StandInSelfCheckFailure(check: check, detail: detail()) }
    }

    func chat(_ body: [String: String], key: String? = nil) throws -> RawHTTPResponse {
        var members = body.sorted { $0.key < $1.key }.map { (name, value) in (name, JSONText.string(value)) }
        members.append(("inputs", .object([])))
        let data = Data(JSONText.object(members).encoded(.compact).utf8)
        return try RawHTTPClient.send("POST", standIn.apiBaseURL + "/chat-messages",
                                      headers: ["Authorization": "Bearer \(key ?? self.key)",
                                                "Content-Type": "application/json"],
                                      body: data)
    }

    static func isLowercaseUUID(_ text: String) -> Bool {
        UUID(uuidString: text) != nil && text == text.lowercased()
    }

    /// Data events (pings excluded) of an SSE body.
    static func dataEvents(_ response: RawHTTPResponse) -> [StandInSSE.Event] {
        StandInSSE.parse(response.body).filter { $0.data != nil }
    }

    static func answer(_ events: [StandInSSE.Event]) -> String {
        events.filter { ["message", "agent_message"].contains($0.name) }
            .compactMap { $0.json?["answer"]?.stringValue }.joined()
    }

    func streamingAnswer() throws {
        let name = "streaming answer"
        let chunks = ["Hel", "lo, ", "世界", "！🙂", " ok", "\"quoted\"\n"]
        standIn.setScript { query in
            query == "hi" ? .answer(chunks: chunks) : .answer(chunks: ["x"], splitWrites: false)
        }
        defer { standIn.resetScripts() }
        let response = try chat(["query": "hi", "user": "wecom:c:u", "conversation_id": "",
                                 "response_mode": "streaming"])
        try expect(response.status == 200, name, "status \(response.status): \(response.text)")
        try expect(response.headers["Content-Type"]?.hasPrefix("text/event-stream") == true, name,
                   "Content-Type \(response.headers["Content-Type"] ?? "none")")
        try expect(response.complete, name, "stream did not end with the terminating chunk")
        let all = StandInSSE.parse(response.body)
        try expect(all.first?.event == "ping" && all.first?.data == nil, name, "first event is not `event: ping`")
        try expect(response.text.hasPrefix("event: ping\n\n"), name, "ping framing \(response.text.prefix(20).debugDescription)")
        let events = SelfCheck.dataEvents(response)
        try expect(SelfCheck.answer(events) == chunks.joined(), name, "answer \(SelfCheck.answer(events).debugDescription)")
        try expect(events.last?.name == "message_end", name, "last event \(events.last?.name ?? "none")")
        let conversation = events.first?.json?["conversation_id"]?.stringValue ?? ""
        try expect(SelfCheck.isLowercaseUUID(conversation), name, "conversation_id \(conversation.debugDescription)")
        for event in events {
            let json = event.json
            try expect(json?["conversation_id"]?.stringValue == conversation && json?["message_id"]?.stringValue != nil
                       && json?["task_id"]?.stringValue != nil && json?["created_at"]?.intValue != nil,
                       name, "ids missing on \(event.data ?? "")")
        }
        try expect(events.last?.json?["metadata"]?["usage"]?["total_tokens"]?.intValue != nil, name, "message_end usage")
        try expect(response.text.contains("世界"), name, "non-ASCII not written as raw UTF-8")
        try expect(response.chunks.count >= events.count * 2, name,
                   "events not split (\(response.chunks.count) writes for \(events.count) events)")
        try expect(response.chunks.contains { String(data: $0, encoding: .utf8) == nil }, name,
                   "no write split inside a UTF-8 character")

        let recorded = standIn.chatRequests.last
        try expect(recorded?.query == "hi" && recorded?.user == "wecom:c:u" && recorded?.responseMode == "streaming"
                   && recorded?.conversationID == conversation && recorded?.inputs == .object([:]),
                   name, "recorded request \(String(describing: recorded?.body))")

        // A continuation echoes the conversation id; an unsplit answer uses one write per event.
        let again = try chat(["query": "more", "user": "wecom:c:u", "conversation_id": conversation,
                              "response_mode": "streaming"])
        let againEvents = SelfCheck.dataEvents(again)
        try expect(againEvents.allSatisfy { $0.json?["conversation_id"]?.stringValue == conversation }, name,
                   "continuation did not echo conversation_id")
        try expect(SelfCheck.answer(againEvents) == "x", name, "second answer")

        // Blocking mode gets Dify's blocking JSON.
        let blocking = try chat(["query": "hi", "user": "wecom:c:u", "response_mode": "blocking"])
        try expect(blocking.status == 200 && blocking.json?["answer"]?.stringValue == chunks.joined()
                   && blocking.json?["mode"]?.stringValue == "chat", name, "blocking answer \(blocking.text)")
    }

    /// Older Dify's `json.dumps` output, `id:` lines and close-delimited streams.
    func wireVariants() throws {
        let name = "wire variants"
        let python = JSONText.object([("a", .string("世🙂\n")), ("b", .int(1))]).encoded(.pythonDefault)
        try expect(python == #"{"a": "\u4e16\ud83d\ude42\n", "b": 1}"#, name, "json.dumps style \(python)")
        standIn.jsonStyle = .pythonDefault
        standIn.eventIDLines = true
        standIn.streamFraming = .closeDelimited
        defer {
            standIn.jsonStyle = .compact
            standIn.eventIDLines = false
            standIn.streamFraming = .chunked
        }
        standIn.enqueue(.answer(chunks: ["你", "好🙂"]))
        let response = try chat(["query": "q", "user": "u", "response_mode": "streaming"])
        let events = SelfCheck.dataEvents(response)
        try expect(response.complete && response.headers["Transfer-Encoding"] == nil
                   && response.headers["Connection"] == "close", name, "close-delimited framing \(response.headers)")
        try expect(SelfCheck.answer(events) == "你好🙂" && !response.text.contains("你")
                   && response.text.contains("\\u4f60") && events.allSatisfy { $0.id != nil },
                   name, "python-style stream \(response.text)")
    }

    func rejections() throws {
        let name = "rejections"
        let unauthorized = try chat(["query": "hi", "user": "u", "response_mode": "streaming"], key: "app-wrong")
        try expect(unauthorized.status == 401 && unauthorized.json?["code"]?.stringValue == "unauthorized"
                   && unauthorized.json?["message"]?.stringValue == "Access token is invalid"
                   && unauthorized.json?["status"]?.intValue == 401, name, "401 body \(unauthorized.text)")
        try expect(unauthorized.headers["WWW-Authenticate"] == "Bearer realm=\"api\"", name, "WWW-Authenticate")

        standIn.enqueue(.conversationMissingOnce(thenAnswer: ["a"]), .conversationMissingOnce(thenAnswer: ["fresh"]))
        let stale = try chat(["query": "q", "user": "u", "conversation_id": "3f0e3c39-1d7c-4c55-9a3c-0c1c5a8f8e11",
                              "response_mode": "streaming"])
        try expect(stale.status == 404 && stale.json?["code"]?.stringValue == "not_found"
                   && stale.json?["message"]?.stringValue == "Conversation Not Exists.", name, "404 body \(stale.text)")
        let fresh = try chat(["query": "q", "user": "u", "conversation_id": "", "response_mode": "streaming"])
        try expect(SelfCheck.answer(SelfCheck.dataEvents(fresh)) == "fresh", name, "retry as new conversation")

        standIn.enqueue(.httpError(status: 502, body: "<html>bad gateway</html>", contentType: "text/html"))
        let proxy = try chat(["query": "q", "user": "u", "response_mode": "streaming"])
        try expect(proxy.status == 502 && proxy.headers["Content-Type"] == "text/html", name, "502 page")

        let noUser = try chat(["query": "q", "response_mode": "streaming"])
        try expect(noUser.status == 400 && noUser.json?["code"]?.stringValue == "invalid_param", name, "missing user")
    }

    func errorEventAndCut() throws {
        let name = "error event and cut stream"
        standIn.enqueue(.answerThenError(chunks: ["par", "tial"], code: "completion_request_error",
                                         message: "[openai] Rate Limit Error", status: 400),
                        .cutAfter(chunks: ["cut", " here"]))
        let failed = try chat(["query": "q", "user": "u", "response_mode": "streaming"])
        let events = SelfCheck.dataEvents(failed)
        let last = events.last?.json
        try expect(failed.complete && SelfCheck.answer(events) == "partial" && last?["event"]?.stringValue == "error"
                   && last?["code"]?.stringValue == "completion_request_error" && last?["status"]?.intValue == 400
                   && last?["message"]?.stringValue == "[openai] Rate Limit Error" && last?["task_id"] == nil
                   && !events.contains { $0.name == "message_end" }, name, "error stream \(failed.text)")

        let cut = try chat(["query": "q", "user": "u", "response_mode": "streaming"])
        let cutEvents = SelfCheck.dataEvents(cut)
        try expect(!cut.complete && SelfCheck.answer(cutEvents) == "cut here"
                   && !cutEvents.contains { $0.name == "message_end" }, name, "cut stream \(cut.text)")
    }

    func agentAndChatflow() throws {
        let name = "agent and chatflow events"
        standIn.enqueue(.answer(chunks: ["思", "考"], mode: .agent), .answer(chunks: ["flow"], mode: .chatflow),
                        .messageFile(url: "/files/tools/abc.png?timestamp=1&nonce=n&sign=s", thenAnswer: ["img"]))
        let agent = SelfCheck.dataEvents(try chat(["query": "q", "user": "u", "response_mode": "streaming"]))
        try expect(SelfCheck.answer(agent) == "思考" && agent.first?.name == "agent_thought"
                   && agent.contains { $0.name == "agent_message" } && agent.last?.name == "message_end",
                   name, "agent events \(agent.compactMap(\.name))")
        let flow = SelfCheck.dataEvents(try chat(["query": "q", "user": "u", "response_mode": "streaming"]))
        try expect(flow.compactMap(\.name) == ["workflow_started", "node_started", "message", "node_finished",
                                               "workflow_finished", "message_end"],
                   name, "chatflow events \(flow.compactMap(\.name))")
        let file = SelfCheck.dataEvents(try chat(["query": "q", "user": "u", "response_mode": "streaming"]))
        let fileEvent = file.first { $0.name == "message_file" }?.json
        try expect(fileEvent?["type"]?.stringValue == "image" && fileEvent?["belongs_to"]?.stringValue == "assistant"
                   && fileEvent?["url"]?.stringValue?.hasPrefix("/files/tools/abc.png") == true
                   && SelfCheck.answer(file) == "img", name, "message_file \(String(describing: fileEvent))")
    }

    func customScript() throws {
        let name = "custom script"
        standIn.enqueue(.custom { [standIn] chat, writer in
            let stream = standIn.eventStream(for: chat, writer: writer)
            stream.start()
            stream.message("draft")
            stream.raw(": a comment\nretry: 3000\n\n")
            stream.messageReplace("moderated")
            stream.messageEnd()
            stream.finish()
        })
        let response = try chat(["query": "q", "user": "u", "response_mode": "streaming"])
        let events = SelfCheck.dataEvents(response)
        try expect(response.complete && events.compactMap(\.name) == ["message", "message_replace", "message_end"]
                   && events[1].json?["answer"]?.stringValue == "moderated"
                   && events.allSatisfy { $0.json?["conversation_id"]?.stringValue == standIn.chatRequests.last?.conversationID },
                   name, "events \(response.text)")
    }

    func upload() throws {
        let name = "upload"
        // Every byte value, CRLFs and a fake boundary inside the file.
        var bytes = Data((0...255).map { UInt8($0) })
        bytes += Data("\r\n--not-the-boundary\r\n\r\n--".utf8)
        bytes += Data((0...255).reversed().map { UInt8($0) })
        let boundary = "------------------------standin\(UInt32.random(in: 0...UInt32.max))"
        let body = StandInMultipart.build(boundary: boundary, fields: [("user", "wecom:c:u")],
                                          file: ("file", "photo.PNG", "image/png", bytes))
        let response = try RawHTTPClient.send("POST", standIn.apiBaseURL + "/files/upload",
                                              headers: ["Authorization": "Bearer \(key)",
                                                        "Content-Type": "multipart/form-data; boundary=\(boundary)",
                                                        "Expect": "100-continue"],
                                              body: body)
        let json = response.json
        try expect(response.status == 201 && json?["size"]?.intValue == bytes.count
                   && json?["name"]?.stringValue == "photo.PNG" && json?["extension"]?.stringValue == "png"
                   && json?["mime_type"]?.stringValue == "image/png"
                   && SelfCheck.isLowercaseUUID(json?["id"]?.stringValue ?? "")
                   && SelfCheck.isLowercaseUUID(json?["created_by"]?.stringValue ?? ""), name, "response \(response.text)")
        let recorded = standIn.uploads.last
        try expect(recorded?.bytes == bytes && recorded?.user == "wecom:c:u" && recorded?.filename == "photo.PNG"
                   && recorded?.contentType == "image/png" && recorded?.id == json?["id"]?.stringValue,
                   name, "recorded upload differs")
        let source = try RawHTTPClient.send("GET", json?["source_url"]?.stringValue ?? "")
        try expect(source.status == 200 && source.body == bytes, name, "source_url does not serve the bytes")
        try expect(standIn.waitForUploads(count: 1, timeout: 1), name, "waitForUploads")
    }

    func mediaAndResponseURL() throws {
        let name = "media and response_url"
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<5000).map { UInt8($0 & 0xFF) })
        let url = standIn.serve(path: "/files/tools/abc.png", bytes: png, contentType: "image/png", chunked: true)
        let redirect = standIn.redirect(path: "/media/old.png", to: "/files/tools/abc.png")

        let (port, _) = try RawHTTPClient.split(url)
        let connection = try RawHTTPConnection(port: port, timeout: 5)
        defer { connection.close() }
        let served = try connection.roundTrip(method: "GET", target: "/files/tools/abc.png?timestamp=1&sign=x")
        try expect(served.status == 200 && served.body == png && served.chunkSizes.count > 1
                   && served.headers["Content-Type"] == "image/png", name, "chunked media (\(served.chunkSizes))")
        let moved = try connection.roundTrip(method: "GET", target: try RawHTTPClient.split(redirect).target)
        try expect(moved.status == 302 && moved.headers["Location"] == "/files/tools/abc.png", name, "redirect")
        let missing = try connection.roundTrip(method: "GET", target: "/files/tools/none.png")
        try expect(missing.status == 404 && missing.json?["code"]?.stringValue == "not_found", name, "404 for unknown path")
        try expect(standIn.requests.suffix(3).allSatisfy { $0.connectionID == standIn.requests.last?.connectionID },
                   name, "keep-alive: three requests on one connection")

        let posted = try RawHTTPClient.send("POST", standIn.responseURL(code: "RC-1"),
                                            headers: ["Content-Type": "application/json"],
                                            body: Data("{\"msgtype\":\"markdown\",\"markdown\":{\"content\":\"hi\"}}".utf8))
        try expect(posted.status == 200 && posted.json?["errcode"]?.intValue == 0
                   && posted.json?["errmsg"]?.stringValue == "ok", name, "sink reply \(posted.text)")
        try expect(standIn.waitForPostedResponses(count: 1, code: "RC-1", timeout: 1)
                   && standIn.postedResponses.last?.json?["markdown"]?["content"]?.stringValue == "hi",
                   name, "posted response not recorded")
    }

    func gateAndStopAPI() throws {
        let name = "gate and stop API"
        let gate = Gate()
        standIn.enqueue(.gated(chunks: ["one", "two", "three"], gate: gate))
        let body = Data("{\"inputs\":{},\"query\":\"q\",\"user\":\"u\",\"response_mode\":\"streaming\",\"conversation_id\":\"\"}".utf8)
        let connection = try RawHTTPConnection(port: standIn.port, timeout: 5)
        defer { connection.close() }
        try connection.sendRequest(method: "POST", target: "/v1/chat-messages",
                                   headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                   body: body)
        let head = try connection.readHead()
        try expect(head.status == 200, name, "status \(head.status)")
        try expect(standIn.waitForChatRequests(count: 1, timeout: 5) { $0.script?.name == "gated" }
                   && gate.waitForWaiters(1, timeout: 5), name, "stream never parked at the gate")
        try expect(gate.delivered == 0, name, "a chunk passed a closed gate")
        gate.open(1)
        try expect(gate.waitForDelivered(1, timeout: 5) && gate.waitForWaiters(1, timeout: 5), name,
                   "first chunk not delivered")
        guard let taskID = standIn.chatRequests.last(where: { $0.script?.name == "gated" })?.taskID else {
            throw StandInSelfCheckFailure(check: name, detail: "no task id")
        }
        let stop = try RawHTTPClient.send("POST", standIn.apiBaseURL + "/chat-messages/\(taskID)/stop",
                                          headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                          body: Data("{\"user\":\"u\"}".utf8))
        try expect(stop.status == 200 && stop.json?["result"]?.stringValue == "success", name, "stop reply \(stop.text)")
        let rest = connection.readBody()
        let events = StandInSSE.parse(rest.body).filter { $0.data != nil }
        try expect(rest.complete && SelfCheck.answer(events) == "one" && events.last?.name == "message_end",
                   name, "stopped stream \(String(decoding: rest.body, as: UTF8.self))")
        try expect(standIn.stopRequests.last?.taskID == taskID, name, "stop not recorded")
    }

    func stopDoesNotHang() throws {
        let name = "stop() with held streams"
        let other = try DifyStandIn(apiKey: key)
        let gate = Gate()
        other.enqueue(.silentAfter(chunks: ["silent"]), .gated(chunks: ["never"], gate: gate))
        let silent = try RawHTTPConnection(port: other.port, timeout: 5)
        let held = try RawHTTPConnection(port: other.port, timeout: 5)
        defer { silent.close(); held.close() }
        let body = Data("{\"inputs\":{},\"query\":\"q\",\"user\":\"u\",\"response_mode\":\"streaming\"}".utf8)
        let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        try silent.sendRequest(method: "POST", target: "/v1/chat-messages", headers: headers, body: body)
        _ = try silent.readHead()
        // Read until the silent stream's chunk is in, so stop() cannot cut it short.
        var received = Data()
        while SelfCheck.answer(StandInSSE.parse(received).filter { $0.data != nil }) != "silent",
              let piece = silent.readBodyPiece() {
            received += piece
        }
        try held.sendRequest(method: "POST", target: "/v1/chat-messages", headers: headers, body: body)
        _ = try held.readHead()
        try expect(gate.waitForWaiters(1, timeout: 5), name, "gated stream not parked")
        let started = Date()
        other.stop()
        let elapsed = Date().timeIntervalSince(started)
        try expect(elapsed < 2, name, "stop() took \(elapsed) s")
        try expect(other.server.openConnections == 0, name, "\(other.server.openConnections) connections left open")
        let rest = silent.readBody()
        try expect(!rest.complete && rest.body.isEmpty, name, "silent stream went on after its chunks")
        try expect(SelfCheck.answer(StandInSSE.parse(received).filter { $0.data != nil }) == "silent", name,
                   "silent stream content: \(String(decoding: received, as: UTF8.self).debugDescription)")
        let heldRest = held.readBody()
        try expect(!heldRest.complete && gate.delivered == 0, name, "gated stream should end incomplete")
    }
}
