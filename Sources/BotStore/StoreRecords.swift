/// Records that cross the store boundary. Plain values: the responder, the worker and
/// `wecomctl` see the same shapes whatever backend holds them.

/// A bot's credentials, keyed by the `<botid>` of `/wecom/callback/<botid>` (callback mode) or
/// by its BotID (long-connection mode): a bot has the callback's token and key, a
/// long-connection secret, or both.
public struct BotRecord: Sendable, Equatable, CustomStringConvertible {
    public var botID: String
    /// Empty for a bot without callback credentials (long-connection only).
    public var token: String
    /// Empty for a bot without callback credentials (long-connection only).
    public var encodingAESKey: String
    public var receiveID: String
    /// Agent id or name; nil means "use the mapping or the default agent".
    public var agent: String?
    /// The bot's display name as users @-mention it in groups.
    public var botName: String?
    /// The long-connection Secret from the admin console; nil for a callback-mode bot. A secret
    /// like the token: never printed or logged.
    public var wsSecret: String?
    public var createdAt: Int64

    public init(botID: String, token: String, encodingAESKey: String, receiveID: String = "",
                agent: String? = nil, botName: String? = nil, wsSecret: String? = nil, createdAt: Int64 = 0) {
        self.botID = botID; self.token = token; self.encodingAESKey = encodingAESKey
        self.receiveID = receiveID; self.agent = agent; self.botName = botName; self.wsSecret = wsSecret
        self.createdAt = createdAt
    }

    /// Whether callbacks for this bot can be verified and decrypted.
    public var hasCallbackCredentials: Bool { !token.isEmpty && !encodingAESKey.isEmpty }

    /// Whether `wecom-ws` connects this bot out over a WebSocket.
    public var isLongConnection: Bool { wsSecret != nil }

    /// Which secrets are set, never what they are: a record in a log line or a test failure
    /// shows no credential.
    public var description: String {
        "BotRecord(botID: \(botID), token: \(token.isEmpty ? "unset" : "set"), "
            + "encodingAESKey: \(encodingAESKey.isEmpty ? "unset" : "set"), receiveID: \(receiveID), "
            + "agent: \(agent ?? "nil"), botName: \(botName ?? "nil"), wsSecret: \(wsSecret == nil ? "unset" : "set"), "
            + "createdAt: \(createdAt))"
    }
}

/// A Dify app the bridge can talk to.
public struct AgentRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var difyBaseURL: String
    public var difyAPIKey: String
    public var welcomeText: String?
    public var botName: String?
    public var createdAt: Int64

    public init(id: String, name: String, difyBaseURL: String, difyAPIKey: String,
                welcomeText: String? = nil, botName: String? = nil, createdAt: Int64 = 0) {
        self.id = id; self.name = name; self.difyBaseURL = difyBaseURL; self.difyAPIKey = difyAPIKey
        self.welcomeText = welcomeText; self.botName = botName; self.createdAt = createdAt
    }
}

/// A user message the responder accepted: what the store needs to dedupe it, open its
/// stream and queue its job, all in one transaction.
public struct NewMessage: Sendable, Equatable {
    public var botID: String
    public var aibotID: String
    public var msgID: String
    public var msgType: String
    public var chatID: String?
    public var chatType: String?
    public var userID: String
    /// The agent (id or name) chosen for the message; nil for the default agent.
    public var agent: String?
    /// The stream id to use if the message is new (ignored for a redelivery).
    public var proposedStreamID: String
    /// First frame content (the "thinking" text; empty shows the client's own bubble).
    public var initialContent: String
    public var responseURL: String?
    /// The job payload for the worker (``JobPayload/encode(message:text:)``).
    public var payload: String
    /// Tries before the job is dead (`WECOM_JOB_MAX_ATTEMPTS`).
    public var maxAttempts: Int
    /// The `req_id` of the long-connection frame that brought the message (its replies must
    /// carry it); nil for a callback. A new message with one also opens its push state
    /// (``LongConnectionStore/longConnectionStreams(holder:windowStartedBefore:now:)``); a
    /// redelivery keeps the first `req_id`.
    public var reqID: String?

    public init(botID: String, aibotID: String, msgID: String, msgType: String, chatID: String?,
                chatType: String?, userID: String, agent: String?, proposedStreamID: String,
                initialContent: String, responseURL: String?, payload: String, maxAttempts: Int = 3,
                reqID: String? = nil) {
        self.botID = botID; self.aibotID = aibotID; self.msgID = msgID; self.msgType = msgType
        self.chatID = chatID; self.chatType = chatType; self.userID = userID; self.agent = agent
        self.proposedStreamID = proposedStreamID; self.initialContent = initialContent
        self.responseURL = responseURL; self.payload = payload; self.maxAttempts = maxAttempts
        self.reqID = reqID
    }
}

/// What `acceptMessage` did: a new message opened `stream`, a redelivery found it.
public struct AcceptedMessage: Sendable, Equatable {
    public var stream: StreamSnapshot
    /// True when this call created the stream and queued the job.
    public var isNew: Bool
    public init(stream: StreamSnapshot, isNew: Bool) { self.stream = stream; self.isNew = isNew }
}

/// Lifecycle of a stream row.
public enum StreamState: String, Sendable, CaseIterable {
    case pending, streaming, finished, failed
}

/// One image shown on a stream's final frame.
public struct StreamImage: Sendable, Equatable {
    public var data: [UInt8]
    /// Lowercase hex MD5 of `data`.
    public var md5: String
    public init(data: [UInt8], md5: String) { self.data = data; self.md5 = md5 }
}

/// The current state of a stream as a refresh sees it.
public struct StreamSnapshot: Sendable, Equatable {
    public var id: String
    public var state: StreamState
    public var content: String
    public var finished: Bool
    public var error: String?
    /// Loaded only when `finished`; at most 10, in order.
    public var images: [StreamImage]
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: String, state: StreamState, content: String, finished: Bool, error: String? = nil,
                images: [StreamImage] = [], createdAt: Int64, updatedAt: Int64) {
        self.id = id; self.state = state; self.content = content; self.finished = finished
        self.error = error; self.images = images; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}

/// A `feedback_event` or `template_card_event` a user sent.
public struct StoredEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case feedback, templateCard = "template_card" }
    public var kind: Kind
    public var botID: String
    public var aibotID: String
    public var msgID: String
    public var userID: String
    /// feedback: the feedback id; template card: the task id.
    public var reference: String?
    /// feedback: 1 accurate, 2 inaccurate, 3 cancel; template card: nil.
    public var rating: Int?
    /// feedback: the user's text; template card: the event key.
    public var detail: String?
    /// The event object as JSON.
    public var payload: String

    public init(kind: Kind, botID: String, aibotID: String, msgID: String, userID: String,
                reference: String?, rating: Int?, detail: String?, payload: String) {
        self.kind = kind; self.botID = botID; self.aibotID = aibotID; self.msgID = msgID
        self.userID = userID; self.reference = reference; self.rating = rating
        self.detail = detail; self.payload = payload
    }
}
