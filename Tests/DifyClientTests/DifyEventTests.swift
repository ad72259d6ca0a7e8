import Testing
@testable import DifyClient
import WeComModel

private func event(_ json: String, name: String? = nil) -> DifyEvent {
    DifyEvent(SSEEvent(event: name, data: json))
}

@Suite struct DifyEventTests {
    @Test func messageCarriesTheAnswerAndIDs() {
        let json = #"{"event":"message","task_id":"t1","id":"m1","message_id":"m1","conversation_id":"c1","answer":"Hi","created_at":1}"#
        #expect(event(json) == .message(answer: "Hi", conversationID: "c1", messageID: "m1", taskID: "t1"))
    }

    @Test func agentMessageFallsBackToIDForTheMessageID() {
        let json = #"{"event":"agent_message","id":"m2","conversation_id":"c2","answer":"A"}"#
        #expect(event(json) == .agentMessage(answer: "A", conversationID: "c2", messageID: "m2", taskID: nil))
    }

    @Test func emptyIDsCountAsMissing() {
        let json = #"{"event":"message","conversation_id":"","answer":"x"}"#
        #expect(event(json) == .message(answer: "x", conversationID: nil, messageID: nil, taskID: nil))
    }

    @Test(arguments: [
        (#"{"event":"message_replace","answer":"redacted","reason":"moderation"}"#, DifyEvent.messageReplace(answer: "redacted")),
        (#"{"event":"message_file","id":"f","type":"image","belongs_to":"assistant","url":"/files/tools/x.png?sign=s"}"#,
         .messageFile(url: "/files/tools/x.png?sign=s", type: "image", belongsTo: "assistant")),
        (#"{"event":"message_end","conversation_id":"c","message_id":"m","metadata":{"usage":{"total_tokens":3}}}"#,
         .messageEnd(conversationID: "c", messageID: "m")),
        (#"{"event":"workflow_started","workflow_run_id":"w","data":{"id":"w"}}"#, .workflowStarted),
        (#"{"event":"error","conversation_id":"c","status":400,"code":"invalid_param","message":"Run failed"}"#,
         .error(status: 400, code: "invalid_param", message: "Run failed")),
        (#"{"event":"error"}"#, .error(status: 500, code: "unknown", message: "")),
        (#"{"event":"agent_thought","id":"t","thought":"hmm"}"#, .other("agent_thought")),
        (#"{"event":"tts_message","audio":"AAAA"}"#, .other("tts_message")),
        (#"{"event":"ping"}"#, .ping),
    ])
    func eventKinds(json: String, expected: DifyEvent) {
        #expect(event(json) == expected)
    }

    @Test func workflowFinishedKeepsOutputsAsJSON() {
        let json = #"{"event":"workflow_finished","data":{"status":"succeeded","outputs":{"text":"hi","n":2,"ok":true,"list":[null,"x"]},"error":null}}"#
        let expected = JSONValue.object([
            "text": .string("hi"), "n": .number(2), "ok": .bool(true), "list": .array([.null, .string("x")]),
        ])
        #expect(event(json) == .workflowFinished(status: "succeeded", outputs: expected, error: nil))
        #expect(expected["text"]?.stringValue == "hi")
    }

    @Test func failedWorkflowCarriesItsError() {
        // A null `outputs` is absent.
        let json = #"{"event":"workflow_finished","data":{"status":"failed","outputs":null,"error":"node x failed"}}"#
        #expect(event(json) == .workflowFinished(status: "failed", outputs: nil, error: "node x failed"))
    }

    @Test func pingWithoutDataIsPing() {
        #expect(event("", name: "ping") == .ping)
        #expect(event("", name: "other") == .other("other"))
    }

    @Test(arguments: ["{not json", "[1,2]", "\"text\"", "42", #"{"answer":"no event name"}"#])
    func undecodableDataIsInvalidNotFatal(json: String) {
        guard case .invalid(let reason) = event(json) else {
            Issue.record("expected .invalid for \(json)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test func theSSEEventNameIsUsedWhenTheJSONHasNone() {
        #expect(event(#"{"answer":"x"}"#, name: "message") == .message(answer: "x", conversationID: nil, messageID: nil, taskID: nil))
    }

    @Test func fieldsOfUnexpectedTypesAreTreatedAsAbsent() {
        let json = #"{"event":"message","answer":"x","conversation_id":123,"task_id":["t"]}"#
        #expect(event(json) == .message(answer: "x", conversationID: nil, messageID: nil, taskID: nil))
        #expect(event(#"{"event":"error","status":"bad","code":7}"#) == .error(status: 500, code: "unknown", message: ""))
    }

    @Test func numbersAsIDsCountAsMissing() {
        // A numeric message_id is absent, so the id falls back to `id`, as for a missing one.
        let json = #"{"event":"message","answer":"x","conversation_id":42,"message_id":7,"id":"m","task_id":1.5}"#
        #expect(event(json) == .message(answer: "x", conversationID: nil, messageID: "m", taskID: nil))
        #expect(event(#"{"event":"message_end","conversation_id":0,"message_id":null}"#) == .messageEnd(conversationID: nil, messageID: nil))
    }

    @Test func unknownFieldsOfAnyShapeAreIgnored() {
        let json = #"{"event":"message","answer":"x","extra":{"deep":[[{"a":null}],true,-1.5e-3]},"metadata":[],"z":"\u00e9"}"#
        #expect(event(json) == .message(answer: "x", conversationID: nil, messageID: nil, taskID: nil))
    }

    @Test func escapesAreDecoded() {
        let json = #"{"event":"message","answer":"caf\u00e9 \ud83d\ude00 a\/b \"q\" \\ tab\tnl\n"}"#
        #expect(event(json) == .message(answer: "café 😀 a/b \"q\" \\ tab\tnl\n", conversationID: nil, messageID: nil, taskID: nil))
    }

    /// Not JSON by RFC 8259, so the whole event is invalid (logged and skipped), whichever field
    /// holds the fault: a lone surrogate, a bad escape, a trailing comma, a leading zero, a byte
    /// order mark.
    @Test(arguments: [
        #"{"event":"message","answer":"\ud800"}"#, #"{"event":"message","answer":"x","thought":"\ud800"}"#,
        #"{"event":"message","answer":"\x41"}"#, #"{"event":"message","answer":"x",}"#,
        #"{"event":"message","answer":"x","n":01}"#, "\u{FEFF}{\"event\":\"message\"}",
    ])
    func malformedJSONIsInvalidAsAWhole(json: String) {
        guard case .invalid = event(json) else {
            Issue.record("expected .invalid for \(json)")
            return
        }
    }

    @Test func workflowOutputsKeepNumbersAndBooleansApart() {
        let json = #"{"event":"workflow_finished","data":{"status":"succeeded","outputs":{"one":1,"zero":0,"yes":true,"big":12345678901234}}}"#
        let expected: JSONValue = ["one": 1, "zero": 0, "yes": true, "big": 12345678901234]
        #expect(event(json) == .workflowFinished(status: "succeeded", outputs: expected, error: nil))
    }

    @Test func spacesAndTabsAroundTheDataAreTrimmed() {
        #expect(event("\u{00A0}\t{\"event\":\"message\",\"answer\":\"x\"}\u{3000} ")
            == .message(answer: "x", conversationID: nil, messageID: nil, taskID: nil))
        #expect(event(" \t\u{3000}", name: "ping") == .ping)
    }

    @Test func messageFileWithoutURLIsInvalid() {
        #expect(event(#"{"event":"message_file","type":"image"}"#) == .invalid("message_file without url"))
    }
}

@Suite struct ChatAccumulatorTests {
    private func fold(_ jsons: [String]) -> ChatAccumulator {
        var accumulator = ChatAccumulator()
        for json in jsons { accumulator.apply(DecodedDifyEvent(SSEEvent(data: json))) }
        return accumulator
    }

    @Test func chunksAppendAndIDsComeFromTheFirstEventThatHasThem() {
        let accumulator = fold([
            #"{"event":"workflow_started","task_id":"t1"}"#,
            #"{"event":"message","answer":"Hel","conversation_id":"c1","message_id":"m1","task_id":"t2"}"#,
            #"{"event":"agent_message","answer":"lo","conversation_id":"c9","message_id":"m9"}"#,
            #"{"event":"message_end","conversation_id":"c1","message_id":"m1"}"#,
        ])
        #expect(accumulator.summary == ChatSummary(
            conversationID: "c1", messageID: "m1", taskID: "t1", answer: "Hello", files: [], sawAnyAnswer: true))
        #expect(accumulator.sawTerminalEvent)
        #expect(accumulator.streamError == nil)
    }

    @Test func messageReplaceReplacesEverythingSoFar() {
        let accumulator = fold([
            #"{"event":"message","answer":"bad "}"#,
            #"{"event":"message","answer":"words"}"#,
            #"{"event":"message_replace","answer":"[moderated]"}"#,
            #"{"event":"message","answer":"!"}"#,
        ])
        #expect(accumulator.summary.answer == "[moderated]!")
        #expect(!accumulator.sawTerminalEvent)
    }

    @Test func assistantFilesAreCollectedButUserFilesAreNot() {
        let accumulator = fold([
            #"{"event":"message_file","url":"/files/a.png","type":"image","belongs_to":"assistant"}"#,
            #"{"event":"message_file","url":"/files/mine.png","type":"image","belongs_to":"user"}"#,
            #"{"event":"message_file","url":"https://x/b.png","type":"image"}"#,
        ])
        #expect(accumulator.summary.files == ["/files/a.png", "https://x/b.png"])
        #expect(!accumulator.summary.sawAnyAnswer)
    }

    @Test func theFirstErrorEventIsKept() {
        let accumulator = fold([
            #"{"event":"message","answer":"partial"}"#,
            #"{"event":"workflow_finished","data":{"status":"failed","error":"boom"}}"#,
            #"{"event":"error","status":400,"code":"invalid_param","message":"Run failed: boom"}"#,
            #"{"event":"error","status":500,"code":"internal_server_error","message":"later"}"#,
        ])
        #expect(accumulator.streamError == .streamError(status: 400, code: "invalid_param", message: "Run failed: boom"))
        #expect(accumulator.sawTerminalEvent)
        #expect(accumulator.summary.answer == "partial")
    }

    @Test func emptyChunksDoNotCountAsAnswers() {
        let accumulator = fold([#"{"event":"message","answer":""}"#, #"{"event":"ping"}"#, "{broken"])
        #expect(!accumulator.summary.sawAnyAnswer)
        #expect(accumulator.eventCount == 3)
    }
}
