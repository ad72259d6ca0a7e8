import Foundation
import JSONCore

/// One `POST /v1/chat-messages` as the stand-in received it, with the decoded JSON body and
/// the identifiers it answered with.
public struct RecordedChatRequest: Sendable {
    /// 0-based arrival order among chat requests.
    public let index: Int
    public let http: HTTPRequest
    /// The decoded body; nil when it was not JSON.
    public let body: JSONValue?
    /// The script that answered it; nil when rejected first (auth, invalid JSON, missing user).
    public let script: DifyScript?
    /// The `conversation_id` on the answer's events (the request's when it sent one).
    public let conversationID: String
    public let messageID: String
    public let taskID: String

    public var query: String? { body?["query"]?.stringValue }
    public var user: String? { body?["user"]?.stringValue }
    /// The request's `conversation_id` as sent (nil when absent, "" for a new conversation).
    public var requestedConversationID: String? { body?["conversation_id"]?.stringValue }
    public var responseMode: String? { body?["response_mode"]?.stringValue }
    public var inputs: JSONValue? { body?["inputs"] }
    public var files: [JSONValue] { body?["files"]?.arrayValue ?? [] }
    public var autoGenerateName: Bool? { body?["auto_generate_name"]?.boolValue }
    public var authorization: String? { http.headers["Authorization"] }
    /// True when the request continued a conversation (non-empty `conversation_id`).
    public var isContinuation: Bool { !(requestedConversationID ?? "").isEmpty }
}

/// One `POST /v1/files/upload`.
public struct RecordedUpload: Sendable {
    public let http: HTTPRequest
    /// The HTTP status answered (201 on success).
    public let status: Int
    /// The file id answered; nil when rejected.
    public let id: String?
    /// The `user` form field.
    public let user: String?
    /// The `file` part's filename, content type and bytes.
    public let filename: String?
    public let contentType: String?
    public let bytes: Data
    /// Every non-file form field.
    public let fields: [String: String]
}

/// One `POST /v1/chat-messages/{task_id}/stop`.
public struct RecordedStopRequest: Sendable {
    public let http: HTTPRequest
    public let taskID: String
    public let user: String?
}
