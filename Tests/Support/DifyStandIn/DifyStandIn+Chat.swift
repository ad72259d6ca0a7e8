import Foundation

/// `POST /v1/chat-messages` and its stop endpoint: validation as Dify does it, then the script.
extension DifyStandIn {
    /// What a script streams, normalised.
    struct StreamPlan {
        enum Ending {
            case messageEnd
            case error(code: String, message: String, status: Int)
            case silent
            case cut
        }

        var chunks: [String]
        var split: Bool
        var delayMillis = 0
        var mode = DifyScript.AnswerMode.chat
        var fileURL: String?
        var gate: Gate?
        var ending = Ending.messageEnd
    }

    func handleChat(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        let index = nextChatIndex()
        let body = request.json
        let requested = body?["conversation_id"]?.stringValue ?? ""
        let messageID = DifyStandIn.newID()
        let taskID = DifyStandIn.newID()
        let record = { (script: DifyScript?, conversationID: String) in
            RecordedChatRequest(index: index, http: request, body: body, script: script,
                            conversationID: conversationID, messageID: messageID, taskID: taskID)
        }
        let reject = { (response: CannedResponse) in
            self.chatLog.append(record(nil, requested))
            writer.respond(response)
        }

        if let failure = authFailure(request) { return reject(failure) }
        let contentType = request.headers["Content-Type"]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            return reject(DifyErrorBody.response(
                status: 415, code: "unsupported_media_type",
                message: "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."))
        }
        guard let body, body.objectValue != nil else {
            return reject(DifyErrorBody.invalidParam("Invalid JSON payload received or JSON payload is empty."))
        }
        guard let user = body["user"]?.stringValue, !user.isEmpty else {
            return reject(DifyErrorBody.invalidParam("Arg user must be provided."))
        }
        guard !(body["query"]?.stringValue ?? "").isEmpty else {
            return reject(DifyErrorBody.invalidParam("query is required"))
        }
        if !requested.isEmpty && read(\.strictConversations) && conversationOwner(requested) != user {
            return reject(DifyErrorBody.conversationNotExists)
        }

        let provisional = record(nil, requested.isEmpty ? DifyStandIn.newID() : requested)
        let script = chooseScript(for: provisional)
        var conversationID = provisional.conversationID
        if requested.isEmpty, case .answer(_, let given?, _, _, _) = script {
            conversationID = given
        }
        let chat = record(script, conversationID)
        chatLog.append(chat)
        run(script, chat, writer)
    }

    private func run(_ script: DifyScript, _ chat: RecordedChatRequest, _ writer: HTTPResponseWriter) {
        let split = read(\.splitWrites)
        switch script {
        case .custom(let handler):
            handler(chat, writer)
        case .httpError(let status, let body, let contentType):
            writer.respond(status: status, contentType: contentType, body: body)
        case .conversationMissingOnce(let chunks):
            if chat.isContinuation { return writer.respond(DifyErrorBody.conversationNotExists) }
            stream(StreamPlan(chunks: chunks, split: split), chat, writer)
        case .answer(let chunks, _, let splitWrites, let delayMillis, let mode):
            stream(StreamPlan(chunks: chunks, split: split && splitWrites, delayMillis: delayMillis, mode: mode),
                   chat, writer)
        case .answerThenError(let chunks, let code, let message, let status):
            stream(StreamPlan(chunks: chunks, split: split, ending: .error(code: code, message: message, status: status)),
                   chat, writer)
        case .silentAfter(let chunks):
            stream(StreamPlan(chunks: chunks, split: split, ending: .silent), chat, writer)
        case .cutAfter(let chunks):
            stream(StreamPlan(chunks: chunks, split: split, ending: .cut), chat, writer)
        case .messageFile(let url, let chunks):
            stream(StreamPlan(chunks: chunks, split: split, fileURL: url), chat, writer)
        case .gated(let chunks, let gate):
            stream(StreamPlan(chunks: chunks, split: split, gate: gate), chat, writer)
        }
    }

    // MARK: - Streaming

    private func stream(_ plan: StreamPlan, _ chat: RecordedChatRequest, _ writer: HTTPResponseWriter) {
        if chat.responseMode != "streaming" { return answerBlocking(plan, chat, writer) }
        let settings = settingsSnapshot
        noteConversation(chat.conversationID, user: chat.user ?? "")

        let headers = ["Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache",
                       "X-Version": "1.9.2", "X-Env": "PRODUCTION"]
        let framing: HTTPBodyFraming = settings.streamFraming == .chunked ? .chunked : .closeDelimited
        guard writer.writeHead(status: 200, headers: headers, framing: framing) else { return }
        let emitter = SSEEmitter(writer: writer, split: plan.split, pauseMicros: settings.splitPauseMicros,
                                 style: settings.jsonStyle, eventIDLines: settings.eventIDLines)
        let createdAt = Int(Date().timeIntervalSince1970)
        let common: [(String, JSONText)] = [
            ("conversation_id", .string(chat.conversationID)), ("message_id", .string(chat.messageID)),
            ("created_at", .int(createdAt)),
        ]
        let task: [(String, JSONText)] = [("task_id", .string(chat.taskID))]
        func event(_ name: String, _ fields: [(String, JSONText)]) -> Bool {
            emitter.event([("event", .string(name))] + common + fields)
        }
        var lastPing = Date()
        func ping() -> Bool {
            lastPing = Date()
            return emitter.ping()
        }
        /// Polled while waiting: true to give up. Sends keep-alive pings if configured.
        func shouldAbort() -> Bool {
            if writer.shouldAbort || isTaskStopped(chat.taskID) { return true }
            if let interval = settings.keepAlivePingMillis,
               Date().timeIntervalSince(lastPing) * 1000 >= Double(interval) {
                return !ping()
            }
            return false
        }

        // Dify's stream opens with a ping.
        guard ping() else { return }

        let fullAnswer = plan.chunks.joined()
        let workflowRunID = DifyStandIn.newID()
        let workflowID = DifyStandIn.newID()
        let nodeExecutionID = DifyStandIn.newID()
        let thoughtID = DifyStandIn.newID()
        switch plan.mode {
        case .chat:
            break
        case .agent:
            guard event("agent_thought", task + agentThought(id: thoughtID, thought: "")) else { return }
        case .chatflow:
            guard event("workflow_started", task + [
                ("workflow_run_id", .string(workflowRunID)),
                ("data", .object([("id", .string(workflowRunID)), ("workflow_id", .string(workflowID)),
                                  ("inputs", .object([("sys.query", .string(chat.query ?? ""))])),
                                  ("created_at", .int(createdAt))])),
            ]) else { return }
            guard event("node_started", task + [
                ("workflow_run_id", .string(workflowRunID)),
                ("data", .object([("id", .string(nodeExecutionID)), ("node_id", .string("answer")),
                                  ("node_type", .string("answer")), ("title", .string("Answer")),
                                  ("index", .int(2)), ("predecessor_node_id", .string("llm")),
                                  ("inputs", .null), ("created_at", .int(createdAt))])),
            ]) else { return }
        }

        if let url = plan.fileURL {
            guard event("message_file", task + [
                ("id", .string(DifyStandIn.newID())), ("type", .string("image")),
                ("belongs_to", .string("assistant")), ("url", .string(url)),
            ]) else { return }
        }

        var streamed = ""
        for (index, chunk) in plan.chunks.enumerated() {
            if isTaskStopped(chat.taskID) { break }
            if index > 0 && plan.delayMillis > 0 {
                let deadline = Date(timeIntervalSinceNow: Double(plan.delayMillis) / 1000)
                while deadline.timeIntervalSinceNow > 0 {
                    if shouldAbort() { break }
                    writer.pause(millis: min(20, Int(deadline.timeIntervalSinceNow * 1000) + 1))
                }
                if writer.shouldAbort { return }
                if isTaskStopped(chat.taskID) { break }
            }
            if let gate = plan.gate, !gate.pass(shouldAbort: shouldAbort) {
                if isTaskStopped(chat.taskID) && !writer.shouldAbort { break }
                return
            }
            if index > 0 && settings.pingEvery > 0 && index % settings.pingEvery == 0 {
                guard ping() else { return }
            }
            let name = plan.mode == .agent ? "agent_message" : "message"
            var fields = task + [("id", .string(chat.messageID)), ("answer", .string(chunk))]
            if plan.mode != .agent { fields.append(("from_variable_selector", .null)) }
            guard event(name, fields) else { return }
            plan.gate?.noteDelivered()
            streamed += chunk
        }

        switch plan.ending {
        case .messageEnd:
            let answer = isTaskStopped(chat.taskID) ? streamed : fullAnswer
            switch plan.mode {
            case .chat:
                break
            case .agent:
                guard event("agent_thought", task + agentThought(id: thoughtID, thought: answer)) else { return }
            case .chatflow:
                let outputs = JSONText.object([("answer", .string(answer))])
                guard event("node_finished", task + [
                    ("workflow_run_id", .string(workflowRunID)),
                    ("data", .object([("id", .string(nodeExecutionID)), ("node_id", .string("answer")),
                                      ("node_type", .string("answer")), ("title", .string("Answer")),
                                      ("index", .int(2)), ("predecessor_node_id", .string("llm")),
                                      ("inputs", .null), ("process_data", .null), ("outputs", outputs),
                                      ("status", .string("succeeded")), ("error", .null),
                                      ("elapsed_time", .double(0.01)), ("execution_metadata", .null),
                                      ("created_at", .int(createdAt)), ("finished_at", .int(createdAt)),
                                      ("files", .array([]))])),
                ]) else { return }
                let stopped = isTaskStopped(chat.taskID)
                guard event("workflow_finished", task + [
                    ("workflow_run_id", .string(workflowRunID)),
                    ("data", .object([("id", .string(workflowRunID)), ("workflow_id", .string(workflowID)),
                                      ("status", .string(stopped ? "stopped" : "succeeded")),
                                      ("outputs", outputs), ("error", .null), ("elapsed_time", .double(0.42)),
                                      ("total_tokens", .int(12 + plan.chunks.count)), ("total_steps", .int(3)),
                                      ("created_by", .object([("id", .string(endUserID(for: chat.user ?? ""))),
                                                              ("user", .string(chat.user ?? ""))])),
                                      ("created_at", .int(createdAt)), ("finished_at", .int(createdAt)),
                                      ("exceptions_count", .int(0)), ("files", .array([]))])),
                ]) else { return }
            }
            guard event("message_end", task + [
                ("id", .string(chat.messageID)),
                ("metadata", messageMetadata(completionTokens: plan.chunks.count)),
                ("files", .null),
            ]) else { return }
            writer.finish()
        case .error(let code, let message, let status):
            // Built from the wrapper plus {code, status, message}: no task_id (docs/dify-api.md §3.2).
            guard event("error", [("code", .string(code)), ("status", .int(status)),
                                  ("message", .string(message))]) else { return }
            writer.finish()
        case .silent:
            writer.waitUntilAborted()
        case .cut:
            writer.closeAbruptly()
        }
    }

    private func agentThought(id: String, thought: String) -> [(String, JSONText)] {
        [("id", .string(id)), ("position", .int(1)), ("thought", .string(thought)),
         ("observation", .string("")), ("tool", .string("")), ("tool_labels", .object([])),
         ("tool_input", .string("")), ("message_files", .array([]))]
    }

    private func messageMetadata(completionTokens: Int) -> JSONText {
        .object([
            ("annotation_reply", .null),
            ("retriever_resources", .array([])),
            ("usage", .object([
                ("prompt_tokens", .int(12)), ("prompt_unit_price", .string("0.0")),
                ("prompt_price_unit", .string("0.0")), ("prompt_price", .string("0.0")),
                ("completion_tokens", .int(completionTokens)), ("completion_unit_price", .string("0.0")),
                ("completion_price_unit", .string("0.0")), ("completion_price", .string("0.0")),
                ("total_tokens", .int(12 + completionTokens)), ("total_price", .string("0.0")),
                ("currency", .string("USD")), ("latency", .double(0.42)),
            ])),
        ])
    }

    // MARK: - Blocking mode

    /// `response_mode` "blocking" (or absent): one JSON body after the whole answer.
    private func answerBlocking(_ plan: StreamPlan, _ chat: RecordedChatRequest, _ writer: HTTPResponseWriter) {
        if plan.mode == .agent {
            return writer.respond(DifyErrorBody.invalidParam("Agent Chat App does not support blocking mode"))
        }
        noteConversation(chat.conversationID, user: chat.user ?? "")
        for index in plan.chunks.indices {
            if index > 0 && plan.delayMillis > 0 && !writer.pause(millis: plan.delayMillis) { return }
            if let gate = plan.gate {
                guard gate.pass(shouldAbort: { writer.shouldAbort }) else { return }
                gate.noteDelivered()
            }
        }
        switch plan.ending {
        case .messageEnd:
            let body = JSONText.object([
                ("event", .string("message")), ("task_id", .string(chat.taskID)), ("id", .string(chat.messageID)),
                ("message_id", .string(chat.messageID)), ("conversation_id", .string(chat.conversationID)),
                ("mode", .string(plan.mode == .chatflow ? "advanced-chat" : "chat")),
                ("answer", .string(plan.chunks.joined())),
                ("metadata", messageMetadata(completionTokens: plan.chunks.count)),
                ("created_at", .int(Int(Date().timeIntervalSince1970))),
            ]).encoded(read(\.jsonStyle))
            writer.respond(status: 200, contentType: "application/json", body: body)
        case .error(let code, let message, let status):
            writer.respond(DifyErrorBody.response(status: status, code: code, message: message))
        case .silent:
            writer.waitUntilAborted()
            writer.closeAbruptly()
        case .cut:
            writer.closeAbruptly()
        }
    }

    // MARK: - Stop

    /// `POST /v1/chat-messages/{task_id}/stop` with `{"user": …}`.
    func handleStop(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        let parts = request.path.split(separator: "/")
        guard parts.count == 4, parts[3] == "stop" else { return writer.respond(DifyErrorBody.notFoundURL) }
        if let failure = authFailure(request) { return writer.respond(failure) }
        let taskID = String(parts[2])
        let user = request.json?["user"]?.stringValue
        stopLog.append(RecordedStopRequest(http: request, taskID: taskID, user: user))
        guard let user, !user.isEmpty else { return writer.respond(DifyErrorBody.invalidParam("Arg user must be provided.")) }
        markTaskStopped(taskID)
        writer.respond(status: 200, contentType: "application/json", body: "{\"result\":\"success\"}\n")
    }
}
