/// Records of the operator interface (``OperatorStore``): plain values for `wecomctl`.

/// Lifecycle of a job row.
public enum JobState: String, Sendable, CaseIterable {
    case queued, running, done, dead
}

/// The numbers `wecomctl status` shows.
public struct StatusReport: Sendable, Equatable {
    /// Every job state, zero included.
    public var jobs: [JobState: Int]
    /// Every stream state, zero included.
    public var streams: [StreamState: Int]
    /// Seconds since the oldest queued job was created; nil when nothing is queued.
    public var oldestQueuedAge: Int64?
    /// Queued jobs whose `run_at` has come (the rest wait for a retry back-off).
    public var dueJobs: Int
    /// Running jobs whose lease has expired: their worker died or stalled, another will re-claim them.
    public var expiredLeases: Int

    public var deadJobs: Int { jobs[.dead] ?? 0 }

    public init(jobs: [JobState: Int], streams: [StreamState: Int], oldestQueuedAge: Int64?, dueJobs: Int,
                expiredLeases: Int) {
        self.jobs = jobs; self.streams = streams; self.oldestQueuedAge = oldestQueuedAge
        self.dueJobs = dueJobs; self.expiredLeases = expiredLeases
    }
}

/// One job row, as `wecomctl jobs list` shows it (no payload: it holds the user's message).
public struct JobSummary: Sendable, Equatable {
    public var id: Int64
    public var streamID: String
    public var state: JobState
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Int64
    public var leaseOwner: String?
    public var leaseUntil: Int64?
    public var lastError: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var finishedAt: Int64?

    public init(id: Int64, streamID: String, state: JobState, attempts: Int, maxAttempts: Int, runAt: Int64,
                leaseOwner: String?, leaseUntil: Int64?, lastError: String?, createdAt: Int64, updatedAt: Int64,
                finishedAt: Int64?) {
        self.id = id; self.streamID = streamID; self.state = state; self.attempts = attempts
        self.maxAttempts = maxAttempts; self.runAt = runAt; self.leaseOwner = leaseOwner
        self.leaseUntil = leaseUntil; self.lastError = lastError; self.createdAt = createdAt
        self.updatedAt = updatedAt; self.finishedAt = finishedAt
    }
}

/// A stream row with its message's metadata and its job, for `wecomctl streams show`.
public struct StreamDetail: Sendable, Equatable {
    public var id: String
    public var botID: String
    public var aibotID: String
    public var msgID: String
    public var msgType: String
    public var chatID: String?
    public var userID: String
    public var agent: String?
    public var state: StreamState
    public var finished: Bool
    public var content: String
    public var error: String?
    public var imageCount: Int
    /// The full response_url, one-time code included: show only its host and path.
    public var responseURL: String?
    public var responsePostedAt: Int64?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var finishedAt: Int64?
    public var job: JobSummary?

    public init(id: String, botID: String, aibotID: String, msgID: String, msgType: String, chatID: String?,
                userID: String, agent: String?, state: StreamState, finished: Bool, content: String, error: String?,
                imageCount: Int, responseURL: String?, responsePostedAt: Int64?, createdAt: Int64, updatedAt: Int64,
                finishedAt: Int64?, job: JobSummary?) {
        self.id = id; self.botID = botID; self.aibotID = aibotID; self.msgID = msgID; self.msgType = msgType
        self.chatID = chatID; self.userID = userID; self.agent = agent; self.state = state
        self.finished = finished; self.content = content; self.error = error; self.imageCount = imageCount
        self.responseURL = responseURL; self.responsePostedAt = responsePostedAt; self.createdAt = createdAt
        self.updatedAt = updatedAt; self.finishedAt = finishedAt; self.job = job
    }
}

/// What ``OperatorStore/requeueJob(id:now:)`` did.
public enum RequeueResult: Sendable, Equatable {
    /// The job is queued again; carries the state it had and its (reopened) stream.
    case requeued(from: JobState, streamID: String)
    /// The job is queued or running: nothing was changed.
    case notRetryable(JobState)
    case notFound
}

/// Rows ``OperatorStore/purge(olderThan:batch:)`` deleted, cascaded rows included.
public struct PurgeCounts: Sendable, Equatable {
    public var streams: Int
    public var messages: Int
    public var images: Int
    public var jobs: Int
    /// Messages the bot sends first (sent, failed or cancelled).
    public var outbound: Int
    /// Write transactions used.
    public var batches: Int

    public init(streams: Int = 0, messages: Int = 0, images: Int = 0, jobs: Int = 0, outbound: Int = 0,
                batches: Int = 0) {
        self.streams = streams; self.messages = messages; self.images = images; self.jobs = jobs
        self.outbound = outbound; self.batches = batches
    }
}

extension JobState {
    /// The state as a backend stored it; anything else throws ``StoreError/backend(_:)``.
    public init(stored text: String) throws {
        guard let state = JobState(rawValue: text) else { throw StoreError.backend("unknown job state '\(text)'") }
        self = state
    }
}

extension StreamState {
    /// The state as a backend stored it; anything else throws ``StoreError/backend(_:)``.
    public init(stored text: String) throws {
        guard let state = StreamState(rawValue: text) else { throw StoreError.backend("unknown stream state '\(text)'") }
        self = state
    }
}
