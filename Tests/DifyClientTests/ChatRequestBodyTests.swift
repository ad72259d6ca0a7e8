import Testing
@testable import DifyClient

@Suite struct ChatRequestBodyTests {
    @Test func theBodyIsCompactWithSortedKeys() {
        let request = ChatRequest(query: "看 \"q\" / \\ \n\u{1}", user: "wecom:corp:u1", conversationID: "c9",
                                  files: [DifyFileRef(type: "image", uploadFileID: "f-1")])
        let expected = #"{"auto_generate_name":false,"conversation_id":"c9","#
            + #""files":[{"transfer_method":"local_file","type":"image","upload_file_id":"f-1"}],"inputs":{},"#
            + #""query":"看 \"q\" / \\ \n\u0001","response_mode":"streaming","user":"wecom:corp:u1"}"#
        #expect(String(decoding: ChatRequestBody(request).encoded(), as: UTF8.self) == expected)
    }

    @Test func aNewConversationSendsAnEmptyIDAndNoFiles() {
        let body = String(decoding: ChatRequestBody(ChatRequest(query: "hi", user: "u")).encoded(), as: UTF8.self)
        #expect(body == #"{"auto_generate_name":false,"conversation_id":"","files":[],"inputs":{},"query":"hi","response_mode":"streaming","user":"u"}"#)
    }
}
