/// Records of ``StoreTransfer``: whole rows as they are stored, times included, so that a copy
/// from one backend to the other keeps every value and a copy back gives the same records.

/// What a copy moves, one kind at a time, in this order.
public enum TransferKind: String, Sendable, CaseIterable {
    case bots, agents, conversations, feedback
    /// A stream with its message (the msgid that dedupes a redelivery), its images, its job and,
    /// for a long-connection message, its push state.
    case streams
    /// What the store knows of each long-connection bot's connection beyond its lease.
    case connections
    /// Messages the bot sends first.
    case outbound

    /// The table whose count tracks the copy's progress.
    public var table: TransferTable {
        switch self {
        case .bots: .bots
        case .agents: .agents
        case .conversations: .conversations
        case .feedback: .feedback
        case .streams: .streams
        case .connections: .wsConnections
        case .outbound: .outboundMessages
        }
    }
}

/// The tables a copy writes, as the count check at its end compares them, in the order the
/// backends' `transferCounts` select them.
public enum TransferTable: String, Sendable, CaseIterable {
    case bots, agents, conversations, feedback, streams, messages
    case streamImages = "stream_images"
    case jobs
    case wsStreams = "ws_streams"
    case wsConnections = "ws_connections"
    case outboundMessages = "outbound_messages"
}

/// Which streams a copy takes: those still at work, and the recent ones.
///
/// A stream is copied when it is not finished, when its job is queued or running (a stream
/// closed early at the 6-minute deadline is finished while its job still runs), or when it was
/// created at or after `recentSince`. The recent ones carry their msgids over, so that WeCom's
/// redelivery of a message answered just before the move finds its stream instead of queueing
/// the question again, and a refresh of a stream that finished just before still gets its last
/// frame. Bots, agents, conversations and feedback are copied whole.
///
/// Of long-connection mode, a copy takes every bot's taken-over mark and last error (not its
/// lease), the push state of each stream it copies, and the messages the bot sends first that
/// are still queued or being sent, or were queued at or after `recentSince`.
public struct TransferScope: Sendable, Equatable {
    public var recentSince: Int64

    public init(recentSince: Int64) { self.recentSince = recentSince }
}

/// A record's natural key: the primary key of its table, as text.
public struct TransferKey: Sendable, Hashable, CustomStringConvertible {
    public var parts: [String]

    public init(_ parts: [String]) { self.parts = parts }

    public var description: String { parts.joined(separator: "/") }
}

/// One Dify conversation id and when it was saved.
public struct ConversationRecord: Sendable, Equatable {
    public var key: ConversationKey
    public var conversationID: String
    public var updatedAt: Int64

    public init(key: ConversationKey, conversationID: String, updatedAt: Int64) {
        self.key = key; self.conversationID = conversationID; self.updatedAt = updatedAt
    }
}

/// A stored feedback or card event. Its row id is not copied: nothing refers to it.
public struct FeedbackRecord: Sendable, Equatable {
    public var event: StoredEvent
    public var createdAt: Int64

    public init(event: StoredEvent, createdAt: Int64) { self.event = event; self.createdAt = createdAt }
}

/// A `streams` row, every column.
public struct StreamRecord: Sendable, Equatable {
    public var id: String
    public var botID: String
    public var aibotID: String
    public var msgID: String
    public var msgType: String
    public var chatID: String?
    public var chatType: String?
    public var userID: String
    public var agent: String?
    public var state: StreamState
    public var content: String
    public var finished: Bool
    public var error: String?
    public var responseURL: String?
    public var responsePostedAt: Int64?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var finishedAt: Int64?

    public init(id: String, botID: String, aibotID: String, msgID: String, msgType: String, chatID: String?,
                chatType: String?, userID: String, agent: String?, state: StreamState, content: String, finished: Bool,
                error: String?, responseURL: String?, responsePostedAt: Int64?, createdAt: Int64, updatedAt: Int64,
                finishedAt: Int64?) {
        self.id = id; self.botID = botID; self.aibotID = aibotID; self.msgID = msgID; self.msgType = msgType
        self.chatID = chatID; self.chatType = chatType; self.userID = userID; self.agent = agent; self.state = state
        self.content = content; self.finished = finished; self.error = error; self.responseURL = responseURL
        self.responsePostedAt = responsePostedAt; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }
}

/// The `messages` row that records a stream's msgid (its `stream_id` is the stream's).
public struct MessageRecord: Sendable, Equatable {
    public var aibotID: String
    public var msgID: String
    public var botID: String
    public var msgType: String
    public var createdAt: Int64

    public init(aibotID: String, msgID: String, botID: String, msgType: String, createdAt: Int64) {
        self.aibotID = aibotID; self.msgID = msgID; self.botID = botID; self.msgType = msgType
        self.createdAt = createdAt
    }
}

/// A `jobs` row: its summary (id and lease included: a copied job keeps its id, and a running
/// one is re-claimed when its lease ends) and the payload.
public struct JobRecord: Sendable, Equatable {
    public var summary: JobSummary
    public var payload: String

    public init(summary: JobSummary, payload: String) { self.summary = summary; self.payload = payload }
}

/// A `ws_streams` row: the `req_id` a long-connection stream answers and what was pushed of it.
/// Its times as stored, like every copied time.
public struct PushStateRecord: Sendable, Equatable {
    public var botID: String
    public var reqID: String
    public var state: PushState
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(botID: String, reqID: String, state: PushState, createdAt: Int64, updatedAt: Int64) {
        self.botID = botID; self.reqID = reqID; self.state = state; self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A stream and the rows that belong to it, copied in the same transaction, so that an
/// interrupted copy never leaves a stream without its msgid, its job or its push state.
public struct StreamTransfer: Sendable, Equatable {
    public var stream: StreamRecord
    public var message: MessageRecord?
    /// In position order.
    public var images: [StreamImage]
    public var job: JobRecord?
    /// Nil for a callback message.
    public var push: PushStateRecord?

    public init(stream: StreamRecord, message: MessageRecord?, images: [StreamImage], job: JobRecord?,
                push: PushStateRecord? = nil) {
        self.stream = stream; self.message = message; self.images = images; self.job = job; self.push = push
    }
}

/// A `ws_connections` row as a copy carries it: the taken-over mark, so that the destination
/// does not connect a bot that a client outside the deployment took (the kick loop the mark
/// prevents), and the last error. Not the lease: its holders belong to the source's processes,
/// stopped for the move, so the row arrives released and disconnected.
public struct ConnectionRecord: Sendable, Equatable {
    public var botID: String
    public var takenOverAt: Int64?
    public var lastError: String?
    public var lastErrorAt: Int64?
    public var updatedAt: Int64

    public init(botID: String, takenOverAt: Int64?, lastError: String?, lastErrorAt: Int64?, updatedAt: Int64) {
        self.botID = botID; self.takenOverAt = takenOverAt; self.lastError = lastError; self.lastErrorAt = lastErrorAt
        self.updatedAt = updatedAt
    }
}

/// An `outbound_messages` row, every column (its id kept, so `wecomctl send` can follow it).
public struct OutboundRecord: Sendable, Equatable {
    public var message: OutboundMessage
    /// When the claim of a message being sent ends.
    public var claimUntil: Int64?

    public init(message: OutboundMessage, claimUntil: Int64?) {
        self.message = message; self.claimUntil = claimUntil
    }
}

/// One record of a copy.
public enum TransferRecord: Sendable, Equatable {
    case bot(BotRecord)
    case agent(AgentRecord)
    case conversation(ConversationRecord)
    case feedback(FeedbackRecord)
    case stream(StreamTransfer)
    case connection(ConnectionRecord)
    case outbound(OutboundRecord)

    public var kind: TransferKind {
        switch self {
        case .bot: .bots
        case .agent: .agents
        case .conversation: .conversations
        case .feedback: .feedback
        case .stream: .streams
        case .connection: .connections
        case .outbound: .outbound
        }
    }

    public var key: TransferKey {
        switch self {
        case let .bot(bot): TransferKey([bot.botID])
        case let .agent(agent): TransferKey([agent.id])
        case let .conversation(record): TransferKey(record.key.transferKeyParts)
        case let .feedback(record): TransferKey([record.event.aibotID, record.event.msgID])
        case let .stream(unit): TransferKey([unit.stream.id])
        case let .connection(record): TransferKey([record.botID])
        case let .outbound(record): TransferKey([String(record.message.id)])
        }
    }
}

extension ConversationKey {
    /// The primary key's columns in order: bot, agent, chat, user.
    public var transferKeyParts: [String] { [botID, agent, chat, userID] }

    /// The key a ``TransferKey`` of the conversations holds; nil when it has not four parts.
    public init?(transferKey: TransferKey) {
        guard transferKey.parts.count == 4 else { return nil }
        let parts = transferKey.parts
        self.init(botID: parts[0], agent: parts[1], chat: parts[2], userID: parts[3])
    }
}

/// The destination already holds a row under a key the copy needs, with other values: the
/// copy stops before writing anything of that batch.
public struct TransferConflict: Error, Equatable, CustomStringConvertible {
    public let kind: TransferKind
    public let key: TransferKey
    /// What clashed, in a few words.
    public let detail: String

    public init(kind: TransferKind, key: TransferKey, detail: String) {
        self.kind = kind; self.key = key; self.detail = detail
    }

    public var description: String { "\(kind.rawValue) \(key): \(detail)" }
}
