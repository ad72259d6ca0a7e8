import Foundation

/// The JSON body of `POST /chat-messages` (dify-api.md §2): streaming, `inputs` `{}`, `""` for a
/// new conversation, no auto-generated title.
struct ChatRequestBody: Encodable {
    struct File: Encodable {
        var type: String
        var transferMethod = "local_file"
        var uploadFileID: String

        enum CodingKeys: String, CodingKey {
            case type, transferMethod = "transfer_method", uploadFileID = "upload_file_id"
        }
    }

    var inputs: [String: String] = [:]
    var query: String
    var responseMode = "streaming"
    var user: String
    var conversationID: String
    var files: [File]
    var autoGenerateName = false

    enum CodingKeys: String, CodingKey {
        case inputs, query, user, files
        case responseMode = "response_mode", conversationID = "conversation_id"
        case autoGenerateName = "auto_generate_name"
    }

    init(_ request: ChatRequest) {
        query = request.query
        user = request.user
        conversationID = request.conversationID ?? ""
        files = request.files.map { File(type: $0.type, uploadFileID: $0.uploadFileID) }
    }

    /// UTF-8 JSON with sorted keys.
    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self))
        } catch {
            preconditionFailure("encoding strings and arrays of strings cannot fail: \(error)")
        }
    }
}
