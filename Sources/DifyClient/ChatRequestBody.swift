import JSONCore

/// The JSON body of `POST /chat-messages` (docs/dify-api.md §2): streaming, `inputs` `{}`, `""` for a
/// new conversation, no auto-generated title.
struct ChatRequestBody {
    var query: String
    var user: String
    var conversationID: String
    var files: [DifyFileRef]

    init(_ request: ChatRequest) {
        query = request.query
        user = request.user
        conversationID = request.conversationID ?? ""
        files = request.files
    }

    var json: JSONValue {
        [
            "inputs": [:], "query": .string(query), "response_mode": "streaming", "user": .string(user),
            "conversation_id": .string(conversationID), "auto_generate_name": false,
            "files": .array(files.map { file in
                ["type": .string(file.type), "transfer_method": "local_file", "upload_file_id": .string(file.uploadFileID)]
            }),
        ]
    }

    /// UTF-8 JSON with sorted keys.
    func encoded() -> [UInt8] { JSONWriter.bytes(json) }
}
