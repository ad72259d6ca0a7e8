/// One Dify app: the Service API base and the app's key.
///
/// `description` never shows the key.
public struct DifyAgentEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// The API base, e.g. `http://dify.internal/v1` or `https://api.dify.ai/v1` (a trailing `/` is fine).
    public var baseURL: String
    /// The app API key (`app-…`), sent as `Authorization: Bearer`.
    public var apiKey: String

    public init(baseURL: String, apiKey: String) {
        self.baseURL = baseURL
        self.apiKey = apiKey
    }

    /// `{base}/{path}`.
    func url(_ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + path
    }

    public var description: String { "DifyAgentEndpoint(\(baseURL), apiKey: <redacted>)" }
}

/// A file uploaded with ``DifyClient/uploadFile(_:fileName:mimeType:user:endpoint:timeout:)``,
/// attached to a chat message as `{"type", "transfer_method": "local_file", "upload_file_id"}`.
public struct DifyFileRef: Sendable, Equatable {
    /// `image`, `document`, `audio`, `video` or `custom`.
    public var type: String
    /// The `id` returned by `/files/upload`.
    public var uploadFileID: String

    public init(type: String, uploadFileID: String) {
        self.type = type
        self.uploadFileID = uploadFileID
    }
}

/// One `POST /chat-messages` turn.
public struct ChatRequest: Sendable, Equatable {
    /// The user's text (Dify rejects an empty query).
    public var query: String
    /// The end-user id; the same string must be used for uploads and later turns (docs/dify-api.md §8).
    public var user: String
    /// The conversation to continue, or nil to start a new one.
    public var conversationID: String?
    /// Uploaded attachments.
    public var files: [DifyFileRef]

    public init(query: String, user: String, conversationID: String? = nil, files: [DifyFileRef] = []) {
        self.query = query
        self.user = user
        self.conversationID = conversationID
        self.files = files
    }
}

/// Time limits of one streamed answer, in seconds (docs/dify-api.md §6).
public struct StreamLimits: Sendable, Equatable {
    /// Longest silence (no byte at all; pings count) before the stream is considered dead;
    /// 0 disables the check. Checked about once a second, so allow a second of slack.
    public var idleTimeout: Double
    /// Cap on the whole request including a healthy stream (`CURLOPT_TIMEOUT`); 0 means none.
    public var totalTimeout: Double
    /// Cap on connecting (`CURLOPT_CONNECTTIMEOUT`).
    public var connectTimeout: Double

    public init(idleTimeout: Double, totalTimeout: Double, connectTimeout: Double = 10) {
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.connectTimeout = connectTimeout
    }
}

/// A streamed answer as far as it has arrived: handed to each event's callback while the
/// stream runs, and the whole answer once the terminal event is in.
public struct ChatSummary: Sendable, Equatable {
    /// From the first event that carried one.
    public var conversationID: String?
    /// From the first event that carried one.
    public var messageID: String?
    /// From the first event that carried one (needed for the stop API).
    public var taskID: String?
    /// `message`/`agent_message` chunks appended in order; `message_replace` replaces the text.
    public var answer: String
    /// The `url`s of `message_file` events, in order, except files that belong to the user.
    public var files: [String]
    /// Whether any answer text arrived (a chunk or a replacement that was not empty).
    public var sawAnyAnswer: Bool

    public init(
        conversationID: String? = nil, messageID: String? = nil, taskID: String? = nil,
        answer: String = "", files: [String] = [], sawAnyAnswer: Bool = false
    ) {
        self.conversationID = conversationID
        self.messageID = messageID
        self.taskID = taskID
        self.answer = answer
        self.files = files
        self.sawAnyAnswer = sawAnyAnswer
    }
}

/// Limits on the JSON Dify sends back.
enum DifyJSON {
    /// Deepest nesting read in a response or event (`workflow_finished` outputs are the app's own
    /// JSON, so this is generous; reading stays linear in the input).
    static let depthLimit = 512
}
