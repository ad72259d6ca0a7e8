/// The one storage protocol the responder, the worker and `wecomctl` use.
///
/// SQLite is the first backend (`SQLiteStore`); a PostgreSQL backend will implement the
/// same protocol. SQL and connection handling stay inside the backends. An instance is
/// used from one thread at a time (each process, or each worker thread, opens its own).
/// Times are unix seconds, passed in by the caller so that logic stays testable.
public protocol BotStore: AnyObject {
    /// Creates or migrates the schema. Idempotent and safe when several processes start at once.
    func migrate() throws

    // MARK: bots and agents
    func bot(id: String) throws -> BotRecord?
    func bots() throws -> [BotRecord]
    func saveBot(_ bot: BotRecord) throws
    /// Returns false when no such bot existed.
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

    // MARK: stream writes (worker, tests, wecomctl)
    /// Replaces the stream's content snapshot and moves it to `streaming` unless it is finished.
    func updateStream(id: String, content: String, now: Int64) throws
    /// Sets the final content, images (at most 10) and state, and marks it finished.
    func finishStream(id: String, content: String, images: [StreamImage], state: StreamState,
                      error: String?, now: Int64) throws
}
