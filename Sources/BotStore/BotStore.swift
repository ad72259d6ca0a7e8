/// The one storage protocol the responder, the worker and `wecomctl` use: one connection.
///
/// SQLite is the first backend (`SQLiteStore`); a PostgreSQL backend will implement the
/// same protocol. SQL and connection handling stay inside the backends, and a connection comes
/// from its backend (``StoreBackend``), which also prepares the schema. An instance is
/// used from one thread at a time (each process opens its own; a worker's answer threads
/// borrow theirs from a small pool, one store call at a time).
/// Times are unix seconds, passed in by the caller so that logic stays testable.
public protocol BotStore: JobQueueStore, OperatorStore, LongConnectionStore, WorkerHeartbeatStore {
    /// Closes the connection; later calls throw. Never fails.
    func close()

    // MARK: bots and agents
    func bot(id: String) throws -> BotRecord?
    func bots() throws -> [BotRecord]
    func saveBot(_ bot: BotRecord) throws
    /// Returns false when no such bot existed. Its long-connection row goes too (lease,
    /// taken-over mark, last error): a process holding the bot learns at its next renewal that it
    /// no longer does, and drops the connection.
    @discardableResult func removeBot(id: String) throws -> Bool
    /// Looks an agent up by id, then by name.
    func agent(idOrName: String) throws -> AgentRecord?
    func agents() throws -> [AgentRecord]
    func saveAgent(_ agent: AgentRecord) throws
    @discardableResult func removeAgent(idOrName: String) throws -> Bool

    // MARK: callback path
    /// In one write transaction: records the msgid; if it is new, creates the stream with
    /// `message.initialContent` and queues its job. A redelivered msgid (from any process)
    /// returns the existing stream and queues nothing.
    func acceptMessage(_ message: NewMessage, now: Int64) throws -> AcceptedMessage
    /// The stream's current snapshot (images only once finished), or nil. Read-only.
    func stream(id: String) throws -> StreamSnapshot?
    /// Stores a feedback or card event once per (aibotid, msgid); returns false for a redelivery.
    @discardableResult func recordEvent(_ event: StoredEvent, now: Int64) throws -> Bool
}

/// The job queue and conversation memory the worker uses. Every job write is guarded by
/// the lease owner: a worker whose lease expired (and whose job another worker re-claimed)
/// changes nothing, and learns so from a `false` result.
public protocol JobQueueStore: AnyObject {
    /// Claims the oldest due job — queued with `run_at <= now`, or running with an expired
    /// lease — in one write: state running, attempts + 1, owner, `lease_until = now + lease`.
    func claimJob(owner: String, now: Int64, lease: Int64) throws -> ClaimedJob?
    /// The growing content of many answers, and their leases, in one write transaction (one
    /// worker process's writer thread flushes every running answer at once). Returns the job
    /// ids whose lease was lost (stop working on those).
    func writeProgress(_ updates: [ProgressUpdate], now: Int64) throws -> [Int64]
    /// Renews the lease only (while waiting on Dify). False when lost.
    func renewLease(jobID: Int64, owner: String, leaseUntil: Int64, now: Int64) throws -> Bool
    /// Finishes the stream (unless already closed by the deadline: then only the job) and marks
    /// the job done or dead, atomically. False when the lease is no longer this owner's.
    func finishJob(jobID: Int64, owner: String, outcome: JobOutcome, now: Int64) throws -> Bool
    /// Puts the job back in the queue to run at `runAt`, recording `error`. False when lost.
    func retryJob(jobID: Int64, owner: String, runAt: Int64, error: String, now: Int64) throws -> Bool
    /// Closes the stream early (the 6-minute window) with `content` while the job keeps running.
    func closeStreamEarly(jobID: Int64, owner: String, content: String, now: Int64) throws -> Bool
    /// Claims the one-shot response_url delivery for the job's stream: true exactly once.
    func claimResponseDelivery(streamID: String, now: Int64) throws -> Bool
    /// The soonest time a job becomes due (queued run_at or running lease expiry), for sleeping.
    func nextJobDue() throws -> Int64?

    func conversationID(for key: ConversationKey) throws -> String?
    func saveConversationID(_ id: String, for key: ConversationKey, now: Int64) throws
    func clearConversation(_ key: ConversationKey) throws
}
