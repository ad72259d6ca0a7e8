/// A job a worker holds under a lease, with what it needs from its stream.
public struct ClaimedJob: Sendable, Equatable {
    public var id: Int64
    public var streamID: String
    /// The responder's job payload, written and read by ``JobPayload``: the decrypted callback and its clean text.
    public var payload: String
    /// Attempts including this one.
    public var attempts: Int
    public var maxAttempts: Int
    public var botID: String
    public var aibotID: String
    public var agent: String?
    public var chatID: String?
    public var userID: String
    public var responseURL: String?
    /// When the user's message arrived (the stream's created_at): the 6-minute window starts here.
    public var messageAt: Int64
    public var leaseUntil: Int64

    public init(id: Int64, streamID: String, payload: String, attempts: Int, maxAttempts: Int, botID: String,
                aibotID: String, agent: String?, chatID: String?, userID: String, responseURL: String?,
                messageAt: Int64, leaseUntil: Int64) {
        self.id = id; self.streamID = streamID; self.payload = payload; self.attempts = attempts
        self.maxAttempts = maxAttempts; self.botID = botID; self.aibotID = aibotID; self.agent = agent
        self.chatID = chatID; self.userID = userID; self.responseURL = responseURL
        self.messageAt = messageAt; self.leaseUntil = leaseUntil
    }
}

/// How a job ends, written together with its stream in one owner-guarded transaction.
public struct JobOutcome: Sendable, Equatable {
    public enum Kind: String, Sendable { case done, dead }
    public var kind: Kind
    /// Final stream content (the answer, or the readable failure message).
    public var content: String
    public var images: [StreamImage]
    /// The last error, recorded on the job (and on the stream for failures). Never secrets.
    public var error: String?

    public init(kind: Kind, content: String, images: [StreamImage] = [], error: String? = nil) {
        self.kind = kind; self.content = content; self.images = images; self.error = error
    }
}

/// Whose Dify conversation this is: one per (bot, agent, chat, user).
public struct ConversationKey: Sendable, Hashable {
    public var botID: String
    /// Agent id or name; "default" for the default agent.
    public var agent: String
    /// The group chatid, or "" for a direct chat.
    public var chat: String
    public var userID: String

    public init(botID: String, agent: String, chat: String, userID: String) {
        self.botID = botID; self.agent = agent; self.chat = chat; self.userID = userID
    }
}

/// One running answer's latest state, for a batched progress write.
public struct ProgressUpdate: Sendable, Equatable {
    public var jobID: Int64
    public var owner: String
    /// New stream content; nil renews the lease only.
    public var content: String?
    public var leaseUntil: Int64

    public init(jobID: Int64, owner: String, content: String?, leaseUntil: Int64) {
        self.jobID = jobID; self.owner = owner; self.content = content; self.leaseUntil = leaseUntil
    }
}
