import Testing
@testable import DifyClient
import CCurl

@Suite struct DifyErrorTests {
    @Test(arguments: [
        (DifyError.unreachable("refused"), true),
        (.http(status: 429, code: "too_many_requests", message: ""), true),
        (.http(status: 500, code: "internal_server_error", message: ""), true),
        (.http(status: 502, code: "", message: "Bad Gateway"), true),
        (.http(status: 503, code: "", message: ""), true),
        (.http(status: 504, code: "", message: ""), true),
        (.http(status: 400, code: "invalid_param", message: ""), false),
        (.http(status: 401, code: "unauthorized", message: ""), false),
        (.http(status: 404, code: "not_found", message: ""), false),
        (.streamError(status: 500, code: "internal_server_error", message: ""), false),
        (.idleTimeout(30), false),
        (.totalTimeout(600), false),
        (.truncated, false),
        (.invalidResponse("x"), false),
    ])
    func transience(error: DifyError, transient: Bool) {
        #expect(error.isTransient == transient)
    }

    @Test(arguments: [
        (DifyError.http(status: 404, code: "not_found", message: "Conversation Not Exists."), true),
        (.http(status: 404, code: "not_found", message: "Conversation Not Exists. You have requested this URI [/v1/chat-messages] but did you mean …"), true),
        (.http(status: 400, code: "conversation_completed", message: "The conversation has ended."), true),
        (.http(status: 400, code: "invalid_param", message: "conversation_id must be a valid UUID"), true),
        (.streamError(status: 404, code: "not_found", message: "Conversation Not Exists."), true),
        (.http(status: 400, code: "invalid_param", message: "query is required"), false),
        (.http(status: 404, code: "", message: "<html>404 Not Found</html>"), false),
        (.http(status: 401, code: "unauthorized", message: "Access token is invalid"), false),
        (.unreachable("x"), false),
    ])
    func conversationMissing(error: DifyError, missing: Bool) {
        #expect(error.isConversationMissing == missing)
    }

    @Test func difyJSONErrorBodiesAreParsed() {
        let body = Array(#"{"code": "not_found", "message": "Conversation Not Exists.", "status": 404}"#.utf8)
        #expect(DifyError.http(status: 404, body: body) == .http(status: 404, code: "not_found", message: "Conversation Not Exists."))
    }

    @Test func aBodyIsDifysOnlyWhenCodeAndMessageAreStringsOrAbsent() {
        #expect(DifyError.http(status: 400, body: Array(#"{"message":"only a message"}"#.utf8))
            == .http(status: 400, code: "", message: "only a message"))
        #expect(DifyError.http(status: 400, body: Array(#"{"code":"c","message":null}"#.utf8))
            == .http(status: 400, code: "c", message: ""))
        // Another JSON shape is shown as text.
        for body in [#"{"code":7,"message":"m"}"#, #"{"code":null,"message":null}"#, #"["code"]"#, #"{"status":400}"#] {
            #expect(DifyError.http(status: 400, body: Array(body.utf8)) == .http(status: 400, code: "", message: body))
        }
    }

    @Test func aBodyThatIsNotUTF8IsShownAsText() {
        let body = Array(#"{"code":"bad"#.utf8) + [0xFF] + Array(#"","message":"m"}"#.utf8)
        #expect(DifyError.http(status: 400, body: body) == .http(status: 400, code: "", message: "{\"code\":\"bad\u{FFFD}\",\"message\":\"m\"}"))
    }

    @Test func htmlBodiesBecomeShortPlainText() {
        let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        #expect(DifyError.http(status: 502, body: Array(page.utf8))
            == .http(status: 502, code: "", message: "502 Bad Gateway 502 Bad Gateway nginx"))
        let long = DifyError.plainText(Array(String(repeating: "word ", count: 500).utf8), limit: 200)
        #expect(long.count == 201)
        #expect(long.hasSuffix("…"))
    }

    @Test func descriptionsNameTheFailure() {
        #expect(DifyError.http(status: 404, code: "not_found", message: "Conversation Not Exists.").description
            == "Dify HTTP 404 not_found: Conversation Not Exists.")
        #expect(DifyError.http(status: 502, code: "", message: "Bad Gateway").description == "Dify HTTP 502 Bad Gateway")
        #expect(DifyError.http(status: 503, code: "", message: "").description == "Dify HTTP 503")
        #expect(DifyError.idleTimeout(30).description.contains("idle"))
        #expect(DifyError.truncated.description.contains("message_end"))
    }

    @Test func endpointDescriptionHidesTheKey() {
        let endpoint = DifyAgentEndpoint(baseURL: "http://dify/v1", apiKey: "app-secret")
        #expect(!endpoint.description.contains("app-secret"))
        #expect(endpoint.url("chat-messages") == "http://dify/v1/chat-messages")
        #expect(DifyAgentEndpoint(baseURL: "http://dify/v1//", apiKey: "").url("files/upload") == "http://dify/v1/files/upload")
    }
}

@Suite struct CurlErrorTests {
    @Test func descriptionKeepsCodeTextAndHostOnly() {
        let error = CurlError(code: CURLE_COULDNT_CONNECT, detail: "Failed to connect to h port 1: Connection refused", host: "h")
        #expect(error.description == "curl error 7: Couldn't connect to server (Failed to connect to h port 1: Connection refused) [host h]")
    }

    @Test func queryStringsInTheErrorBufferAreCut() {
        let error = CurlError(code: CURLE_URL_MALFORMAT, detail: "bad URL http://h/p?response_code=SECRET here", host: "h")
        #expect(!error.description.contains("SECRET"))
        #expect(error.detail == "bad URL http://h/p?… here")
    }
}
