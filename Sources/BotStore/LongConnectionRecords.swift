import WeComModel

/// Records of ``LongConnectionStore``: plain values for `wecom-ws` and `wecomctl`.

// MARK: connection leases

/// Who holds a bot's connection: one `wecom-ws` process, as `host:pid:nonce` (the nonce tells a
/// restarted process that got the same pid apart from the one that died). A worker's heartbeat
/// names its process the same way (``WorkerHeartbeat``).
public struct ConnectionHolder: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    public var nonce: String

    public init(host: String, pid: Int32, nonce: String) {
        self.host = host; self.pid = pid; self.nonce = nonce
    }

    /// Reads an ``id``; nil for anything else. The host is everything before the last two
    /// colons, so it may hold colons itself.
    public init?(id: String) {
        let parts = id.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
        host = parts.dropLast(2).joined(separator: ":")
        self.pid = pid
        nonce = String(parts[parts.count - 1])
    }

    /// The holder as the store keeps it.
    public var id: String { "\(host):\(pid):\(nonce)" }

    /// `host (pid 1234)`, as `wecomctl status` shows it.
    public var description: String { "\(host) (pid \(pid))" }
}

/// What ``LongConnectionStore/acquireConnection(botID:holder:now:lease:)`` found.
public enum ConnectionLease: Sendable, Equatable {
    /// The caller holds the bot until `until`.
    case acquired(until: Int64)
    /// Another process's live lease: stand by.
    case held(by: String, until: Int64)
    /// A client outside this deployment took the bot at `at`: nobody connects it until an
    /// operator runs `wecomctl bots reconnect`.
    case takenOver(at: Int64)
}

/// One long-connection bot as `wecomctl status` shows it. Times on the caller's clock.
public struct ConnectionStatus: Sendable, Equatable {
    public var botID: String
    /// ``ConnectionHolder/id`` of the holder; nil when nobody holds the bot.
    public var holder: String?
    public var leaseUntil: Int64?
    /// The holder's lease ended without a renewal: it died or stalled, a standby takes over.
    public var leaseExpired: Bool
    /// Whether the holder reported its subscription up (as of its last report).
    public var connected: Bool
    /// When `connected` last changed; nil before the bot was ever held.
    public var since: Int64?
    /// The last connection error the holder reported (one line, no secret).
    public var lastError: String?
    public var lastErrorAt: Int64?
    /// When a client outside this deployment took the bot; nil when not taken over.
    public var takenOverAt: Int64?
    /// Messages the bot sends first that wait for a holder.
    public var queuedOutbound: Int

    public init(botID: String, holder: String?, leaseUntil: Int64?, leaseExpired: Bool, connected: Bool, since: Int64?,
                lastError: String?, lastErrorAt: Int64?, takenOverAt: Int64?, queuedOutbound: Int) {
        self.botID = botID; self.holder = holder; self.leaseUntil = leaseUntil; self.leaseExpired = leaseExpired
        self.connected = connected; self.since = since; self.lastError = lastError; self.lastErrorAt = lastErrorAt
        self.takenOverAt = takenOverAt; self.queuedOutbound = queuedOutbound
    }

    /// A live holder reports the bot subscribed.
    public var isConnected: Bool { connected && holder != nil && !leaseExpired }
    /// A holder whose lease is alive.
    public var isHeld: Bool { holder != nil && !leaseExpired }
}

// MARK: streams of long-connection messages

/// Where the pushing of one long-connection stream stands.
public enum PushPhase: String, Sendable, CaseIterable {
    /// `aibot_respond_msg` stream frames go out as the snapshot changes.
    case streaming
    /// The last stream frame went out (the whole answer, or the deadline's notice); what remains
    /// (the rest of a long or late answer, its images) goes by `aibot_send_msg` once the answer
    /// is finished.
    case ended
    /// Nothing more to send.
    case delivered

    /// The phase as a backend stored it; anything else throws ``StoreError/backend(_:)``.
    public init(stored text: String) throws {
        guard let phase = PushPhase(rawValue: text) else { throw StoreError.backend("unknown push phase '\(text)'") }
        self = phase
    }
}

/// Which snapshot of a stream a push carried: the stream's stored `updated_at` and its content's
/// length in UTF-8 bytes. Compared, never computed with: pass back what the store gave.
public struct SnapshotVersion: Sendable, Hashable {
    /// `streams.updated_at` as stored (the database's clock on PostgreSQL).
    public var storedUpdatedAt: Int64
    public var contentBytes: Int

    public init(storedUpdatedAt: Int64, contentBytes: Int) {
        self.storedUpdatedAt = storedUpdatedAt; self.contentBytes = contentBytes
    }
}

/// What has been pushed of one stream, so that a standby taking the bot over goes on from there.
public struct PushState: Sendable, Equatable {
    public var phase: PushPhase
    /// When the first stream frame went out (the caller's clock): WeCom's 6-minute window
    /// starts here. Nil before.
    public var firstFrameAt: Int64?
    /// The snapshot the last stream frame carried; nil before the first.
    public var pushed: SnapshotVersion?
    /// The stream frames ended before the answer did (the deadline, or 846608): the rest goes by
    /// `aibot_send_msg`.
    public var fallback: Bool
    /// `aibot_send_msg` messages sent for this stream so far (parts of the answer, images).
    public var followUpsSent: Int
    /// Goes up with every recorded push; ``LongConnectionStore/recordPush`` compares it.
    public var seq: Int64

    public init(phase: PushPhase, firstFrameAt: Int64?, pushed: SnapshotVersion?, fallback: Bool, followUpsSent: Int,
                seq: Int64) {
        self.phase = phase; self.firstFrameAt = firstFrameAt; self.pushed = pushed; self.fallback = fallback
        self.followUpsSent = followUpsSent; self.seq = seq
    }
}

/// A long-connection stream with something to push: the snapshot, the message it answers and
/// its push state. Times on the caller's clock.
public struct LongConnectionStream: Sendable, Equatable {
    public var streamID: String
    public var botID: String
    /// The `req_id` of the frame that brought the message: every reply frame carries it.
    public var reqID: String
    public var aibotID: String
    public var msgID: String
    /// The group chatid; nil in a direct chat (`aibot_send_msg` then goes to `userID`).
    public var chatID: String?
    public var chatType: String?
    public var userID: String
    public var state: StreamState
    public var content: String
    public var finished: Bool
    public var error: String?
    /// Images of a finished stream (read them with ``BotStore/stream(id:)`` when sending).
    public var imageCount: Int
    public var createdAt: Int64
    public var updatedAt: Int64
    /// This snapshot, to record as ``PushUpdate/pushed`` once a frame carried it.
    public var version: SnapshotVersion
    public var push: PushState

    public init(streamID: String, botID: String, reqID: String, aibotID: String, msgID: String, chatID: String?,
                chatType: String?, userID: String, state: StreamState, content: String, finished: Bool, error: String?,
                imageCount: Int, createdAt: Int64, updatedAt: Int64, version: SnapshotVersion, push: PushState) {
        self.streamID = streamID; self.botID = botID; self.reqID = reqID; self.aibotID = aibotID; self.msgID = msgID
        self.chatID = chatID; self.chatType = chatType; self.userID = userID; self.state = state
        self.content = content; self.finished = finished; self.error = error; self.imageCount = imageCount
        self.createdAt = createdAt; self.updatedAt = updatedAt; self.version = version; self.push = push
    }

    /// Whether the snapshot differs from what the last stream frame carried.
    public var changedSincePush: Bool { push.pushed != version }
}

/// The push state after a push, for ``LongConnectionStore/recordPush``.
public struct PushUpdate: Sendable, Equatable {
    /// A stream frame went out: the first one starts the window (the store keeps the first time).
    public var frameSent: Bool
    /// The snapshot the frame carried; nil keeps the recorded one.
    public var pushed: SnapshotVersion?
    public var phase: PushPhase
    public var fallback: Bool
    public var followUpsSent: Int

    public init(frameSent: Bool, pushed: SnapshotVersion?, phase: PushPhase, fallback: Bool, followUpsSent: Int) {
        self.frameSent = frameSent; self.pushed = pushed; self.phase = phase; self.fallback = fallback
        self.followUpsSent = followUpsSent
    }

    /// No change yet: the state as read, to be modified.
    public init(keeping state: PushState) {
        self.init(frameSent: false, pushed: nil, phase: state.phase, fallback: state.fallback,
                  followUpsSent: state.followUpsSent)
    }
}

// MARK: messages the bot sends first

/// A message to queue: markdown, at most 20480 bytes (WeCom's limit for `aibot_send_msg`).
public struct NewOutboundMessage: Sendable, Equatable {
    public var botID: String
    public var target: ChatTarget
    public var markdown: String

    public init(botID: String, target: ChatTarget, markdown: String) {
        self.botID = botID; self.target = target; self.markdown = markdown
    }
}

/// Lifecycle of a message the bot sends first: `queued` → `sending` (claimed by the bot's
/// holder) → `sent` or `failed`; `queued` → `cancelled` when `wecomctl send` stops waiting.
public enum OutboundState: String, Sendable, CaseIterable {
    case queued, sending, sent, failed, cancelled

    /// The state as a backend stored it; anything else throws ``StoreError/backend(_:)``.
    public init(stored text: String) throws {
        guard let state = OutboundState(rawValue: text) else {
            throw StoreError.backend("unknown outbound message state '\(text)'")
        }
        self = state
    }

    /// Sent, failed or cancelled: nothing will change it any more.
    public var isFinal: Bool { self == .sent || self == .failed || self == .cancelled }
}

/// A queued message and where it stands. Times on the caller's clock.
public struct OutboundMessage: Sendable, Equatable {
    public var id: Int64
    public var botID: String
    public var target: ChatTarget
    public var markdown: String
    public var state: OutboundState
    /// The claim's holder (``ConnectionHolder/id``) once claimed.
    public var holder: String?
    /// WeCom's errcode of a failed send; nil when sent, or when the outcome is unknown.
    public var errcode: Int?
    public var errmsg: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var finishedAt: Int64?

    public init(id: Int64, botID: String, target: ChatTarget, markdown: String, state: OutboundState,
                holder: String?, errcode: Int?, errmsg: String?, createdAt: Int64, updatedAt: Int64,
                finishedAt: Int64?) {
        self.id = id; self.botID = botID; self.target = target; self.markdown = markdown; self.state = state
        self.holder = holder; self.errcode = errcode; self.errmsg = errmsg; self.createdAt = createdAt
        self.updatedAt = updatedAt; self.finishedAt = finishedAt
    }
}

/// How sending a claimed message went.
public enum OutboundOutcome: Sendable, Equatable {
    case sent
    /// WeCom's errcode and errmsg (errcode nil when no answer came).
    case failed(errcode: Int?, errmsg: String)
}

extension OutboundMessage {
    /// The errmsg of a message whose sender's claim ran out before it recorded an outcome.
    public static let unknownOutcome = "the wecom-ws process sending it stopped before WeCom answered: it may or may not have arrived"
}
