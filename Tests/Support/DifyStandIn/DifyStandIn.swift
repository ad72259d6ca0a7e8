import Foundation
import JSONCore

/// A real HTTP server that answers like Dify's Service API at `{baseURL}/v1`, for tests and
/// benchmarks in which real processes (nginx, wecom-fcgi, wecom-worker) talk to it.
///
/// Endpoints:
/// - `POST /v1/chat-messages`: answers per `DifyScript` (streaming SSE, or the blocking JSON
///   when `response_mode` is not `streaming`); every request is recorded (`chatRequests`).
/// - `POST /v1/chat-messages/{task_id}/stop`: `{"result":"success"}`; a running stream of that
///   task then ends early with `message_end`, as Dify does.
/// - `POST /v1/files/upload`: multipart; recorded (`uploads`), answered 201 with the file
///   record, and the bytes become readable at `/files/{id}/file-preview`.
/// - `GET /v1/info`: `{name, description, tags, mode, author_name}`.
/// - Anything registered with `serve`/`serveFile`/`redirect` (e.g. `/files/tools/x.png`), and
///   the WeCom response_url sink (`responseURL(code:)`, `postedResponses`).
///
/// Every `/v1` endpoint checks `Authorization: Bearer <apiKey>` first (401 `unauthorized`).
///
/// `@unchecked Sendable`: all mutable state (`settings`, the script choice, conversations,
/// stopped tasks, counters) is guarded by `lock`; the logs are thread-safe `RecordLog`s.
public final class DifyStandIn: ResponseURLReceiving, @unchecked Sendable {
    /// Wire-level knobs, read once per request.
    struct Settings {
        var defaultScript: DifyScript = .answer(chunks: ["Hello", " from", " the", " Dify", " stand-in."])
        var splitWrites = true
        var splitPauseMicros = 1_000
        var pingEvery = 3
        var keepAlivePingMillis: Int?
        var eventIDLines = false
        var jsonStyle = DifyStandIn.JSONStyle.compact
        var streamFraming = StreamFraming.chunked
        var strictConversations = false
        var uploadSizeLimit: Int?
        var uploadResponse: CannedResponse?
        var appMode = "chat"
    }

    /// How SSE bodies are delimited.
    public enum StreamFraming: Sendable {
        /// `Transfer-Encoding: chunked` (gunicorn/nginx in front of Dify).
        case chunked
        /// No length, ends at connection close (HTTP/1.0-style proxies).
        case closeDelimited
    }

    public let apiKey: String
    public let server: HTTPServer
    public let routes: RouteTable
    public let responseSink: ResponseURLSink
    public let chatLog = RecordLog<RecordedChatRequest>()
    public let uploadLog = RecordLog<RecordedUpload>()
    public let stopLog = RecordLog<RecordedStopRequest>()

    private let lock = NSLock()
    private var settings = Settings()
    private var chooser: (@Sendable (RecordedChatRequest) -> DifyScript)?
    private var scriptQueue: [DifyScript] = []
    private var conversationOwners: [String: String] = [:]
    private var stoppedTasks: Set<String> = []
    private var endUserIDs: [String: String] = [:]
    private var chatCount = 0

    /// Starts the stand-in on a free port of `host` (an IPv4 address of this machine: loopback,
    /// or a test network's bridge that other network namespaces reach). `apiKey` is the only key
    /// accepted.
    public init(apiKey: String = "app-standin-test-key", host: String = "127.0.0.1") throws {
        self.apiKey = apiKey
        let routes = RouteTable()
        self.routes = routes
        server = try HTTPServer(host: host, handler: routes.handle)
        responseSink = ResponseURLSink(routes: routes)
        registerRoutes()
    }

    deinit { server.stop(timeout: 2) }

    private func registerRoutes() {
        // Handlers hold the stand-in weakly: the server (and its threads) must not keep it alive.
        routes.add("POST", "/v1/chat-messages") { [weak self] request, writer in
            guard let self else { return writer.respond(DifyErrorBody.internalServerError) }
            self.handleChat(request, writer)
        }
        routes.addPrefix("POST", "/v1/chat-messages/") { [weak self] request, writer in
            guard let self else { return writer.respond(DifyErrorBody.internalServerError) }
            self.handleStop(request, writer)
        }
        routes.add("POST", "/v1/files/upload") { [weak self] request, writer in
            guard let self else { return writer.respond(DifyErrorBody.internalServerError) }
            self.handleUpload(request, writer)
        }
        routes.add("GET", "/v1/info") { [weak self] request, writer in
            guard let self else { return writer.respond(DifyErrorBody.internalServerError) }
            if let failure = self.authFailure(request) { return writer.respond(failure) }
            let body = JSONText.object([
                ("name", .string("Dify stand-in")), ("description", .string("")), ("tags", .array([])),
                ("mode", .string(self.read(\.appMode))), ("author_name", .string("stand-in")),
            ]).encoded(.compact)
            writer.respond(status: 200, contentType: "application/json", body: body + "\n")
        }
    }

    // MARK: - Addresses

    public var port: Int { server.port }
    /// The origin, `http://HOST:PORT` — where Dify serves `/files/...`.
    public var baseURL: String { server.baseURL }
    /// The API base to configure clients with: `http://HOST:PORT/v1`.
    public var apiBaseURL: String { server.baseURL + "/v1" }

    /// Stops the server (idempotent; never hangs on a held stream).
    public func stop() { server.stop() }

    // MARK: - Scripts

    /// The answer for requests no chooser/queue handles.
    public var defaultScript: DifyScript {
        get { read(\.defaultScript) }
        set { write(\.defaultScript, newValue) }
    }

    /// Chooses the script by the request's `query`.
    public func setScript(_ choose: @escaping @Sendable (_ query: String) -> DifyScript) {
        setRequestScript { choose($0.query ?? "") }
    }

    /// Chooses the script from the whole request (user, files, conversation…). The request's
    /// `script` is nil and its `conversationID` provisional at that point.
    public func setRequestScript(_ choose: @escaping @Sendable (RecordedChatRequest) -> DifyScript) {
        lock.lock()
        chooser = choose
        lock.unlock()
    }

    /// Fixed scripts per query; other queries get `defaultScript`.
    public func setScripts(_ byQuery: [String: DifyScript]) {
        let fallback = self.fallbackScript
        setScript { byQuery[$0] ?? fallback() }
    }

    /// Scripts used by the next requests, in order, before any chooser (e.g. a 500 then an
    /// answer, to test a retry).
    public func enqueue(_ scripts: DifyScript...) {
        lock.lock()
        scriptQueue += scripts
        lock.unlock()
    }

    /// Drops the chooser and the queue.
    public func resetScripts() {
        lock.lock()
        chooser = nil
        scriptQueue.removeAll()
        lock.unlock()
    }

    /// The script a request with this `query` would get now (queue not consumed).
    public func script(for query: String) -> DifyScript {
        lock.lock()
        let queued = scriptQueue.first
        let choose = chooser
        let fallback = settings.defaultScript
        lock.unlock()
        if let queued { return queued }
        guard let choose else { return fallback }
        return choose(provisionalRequest(query: query))
    }

    private var fallbackScript: @Sendable () -> DifyScript {
        { [weak self] in self?.defaultScript ?? .internalServerError }
    }

    func chooseScript(for request: RecordedChatRequest) -> DifyScript {
        lock.lock()
        if !scriptQueue.isEmpty {
            let script = scriptQueue.removeFirst()
            lock.unlock()
            return script
        }
        let choose = chooser
        let fallback = settings.defaultScript
        lock.unlock()
        return choose?(request) ?? fallback
    }

    private func provisionalRequest(query: String) -> RecordedChatRequest {
        let body = JSONValue.object(["query": .string(query), "conversation_id": .string(""),
                                       "user": .string(""), "inputs": .object([:]),
                                       "response_mode": .string("streaming")])
        let http = HTTPRequest(method: "POST", target: "/v1/chat-messages", headers: HeaderFields(), body: Data())
        return RecordedChatRequest(index: -1, http: http, body: body, script: nil, conversationID: "",
                               messageID: "", taskID: "")
    }

    // MARK: - Wire knobs

    /// Split every event into 2–3 writes. False turns splitting off for every script;
    /// `.answer(splitWrites: false)` turns it off for one answer.
    public var splitWrites: Bool { get { read(\.splitWrites) } set { write(\.splitWrites, newValue) } }
    /// Pause between the pieces of a split event, so they reach the client as separate reads
    /// (default 1000 µs; 0 for benchmarks).
    public var splitPauseMicros: Int { get { read(\.splitPauseMicros) } set { write(\.splitPauseMicros, newValue) } }
    /// A ping before every Nth chunk (besides the one opening every stream); 0 disables.
    public var pingEvery: Int { get { read(\.pingEvery) } set { write(\.pingEvery, newValue) } }
    /// When set, pings while a stream waits (delay or gate) this often; nil keeps it silent.
    public var keepAlivePingMillis: Int? { get { read(\.keepAlivePingMillis) } set { write(\.keepAlivePingMillis, newValue) } }
    /// Prefix every data event with an SSE `id: <cursor>` line, as newer Dify builds that
    /// stream through Redis do (docs/dify-api.md §3.1). Off by default.
    public var eventIDLines: Bool { get { read(\.eventIDLines) } set { write(\.eventIDLines, newValue) } }
    /// `.compact` (orjson, current Dify) or `.pythonDefault` (older Dify's `json.dumps`).
    public var jsonStyle: DifyStandIn.JSONStyle { get { read(\.jsonStyle) } set { write(\.jsonStyle, newValue) } }
    public var streamFraming: StreamFraming { get { read(\.streamFraming) } set { write(\.streamFraming, newValue) } }
    /// When true, a non-empty `conversation_id` that this stand-in did not hand out to the
    /// same `user` gets 404 `not_found`, as in real Dify. Off by default.
    public var strictConversations: Bool { get { read(\.strictConversations) } set { write(\.strictConversations, newValue) } }
    /// Uploads larger than this get 413 `file_too_large`.
    public var uploadSizeLimit: Int? { get { read(\.uploadSizeLimit) } set { write(\.uploadSizeLimit, newValue) } }
    /// When set, every upload is answered with this (still recorded).
    public var uploadResponse: CannedResponse? { get { read(\.uploadResponse) } set { write(\.uploadResponse, newValue) } }
    /// The `mode` reported by `/v1/info`.
    public var appMode: String { get { read(\.appMode) } set { write(\.appMode, newValue) } }

    func read<T>(_ key: KeyPath<Settings, T>) -> T {
        lock.lock()
        defer { lock.unlock() }
        return settings[keyPath: key]
    }

    private func write<T>(_ key: WritableKeyPath<Settings, T>, _ value: T) {
        lock.lock()
        settings[keyPath: key] = value
        lock.unlock()
    }

    var settingsSnapshot: Settings {
        lock.lock()
        defer { lock.unlock() }
        return settings
    }

    // MARK: - Records

    /// Every chat request so far, in arrival order (including rejected ones).
    public var chatRequests: [RecordedChatRequest] { chatLog.all }
    public var uploads: [RecordedUpload] { uploadLog.all }
    public var stopRequests: [RecordedStopRequest] { stopLog.all }
    /// Every HTTP request the server received (any path).
    public var requests: [HTTPRequest] { server.requests }

    /// Blocks until `count` chat requests (matching `predicate`) arrived; false on timeout.
    @discardableResult
    public func waitForChatRequests(count: Int, timeout: TimeInterval,
                                    where predicate: (RecordedChatRequest) -> Bool = { _ in true }) -> Bool {
        chatLog.wait(count: count, timeout: timeout, where: predicate)
    }

    @discardableResult
    public func waitForUploads(count: Int, timeout: TimeInterval,
                               where predicate: (RecordedUpload) -> Bool = { _ in true }) -> Bool {
        uploadLog.wait(count: count, timeout: timeout, where: predicate)
    }

    @discardableResult
    public func waitForStopRequests(count: Int, timeout: TimeInterval) -> Bool {
        stopLog.wait(count: count, timeout: timeout)
    }

    /// Forgets recorded requests, uploads, stops and posted responses (not the scripts).
    public func clearRecords() {
        chatLog.removeAll()
        uploadLog.removeAll()
        stopLog.removeAll()
        responseSink.log.removeAll()
        server.requestLog.removeAll()
    }

    // MARK: - Conversations and tasks

    /// Conversation ids handed out so far, with the `user` that owns each.
    public var conversations: [String: String] {
        lock.lock()
        defer { lock.unlock() }
        return conversationOwners
    }

    /// Makes every conversation unknown (with `strictConversations`, the next continuation gets
    /// 404 — like switching the bot to another Dify app).
    public func forgetConversations() {
        lock.lock()
        conversationOwners.removeAll()
        lock.unlock()
    }

    func noteConversation(_ id: String, user: String) {
        lock.lock()
        conversationOwners[id] = user
        lock.unlock()
    }

    func conversationOwner(_ id: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return conversationOwners[id]
    }

    func markTaskStopped(_ taskID: String) {
        lock.lock()
        stoppedTasks.insert(taskID)
        lock.unlock()
    }

    func isTaskStopped(_ taskID: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return stoppedTasks.contains(taskID)
    }

    func nextChatIndex() -> Int {
        lock.lock()
        defer { chatCount += 1; lock.unlock() }
        return chatCount
    }

    /// Dify's EndUser row id for a `user` string (stable per stand-in).
    func endUserID(for user: String) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let id = endUserIDs[user] { return id }
        let id = DifyStandIn.newID()
        endUserIDs[user] = id
        return id
    }

    /// A lowercase UUID, as Dify writes ids.
    static func newID() -> String { UUID().uuidString.lowercased() }

    // MARK: - Auth

    /// Dify's bearer check (`validate_and_get_api_token`), nil when the key is accepted.
    func authFailure(_ request: HTTPRequest) -> CannedResponse? {
        guard let header = request.headers["Authorization"], let space = header.firstIndex(of: " ") else {
            return DifyErrorBody.unauthorized("Authorization header must be provided and start with 'Bearer'")
        }
        guard header[..<space].lowercased() == "bearer" else {
            return DifyErrorBody.unauthorized("Authorization scheme must be 'Bearer'")
        }
        let token = header[header.index(after: space)...].trimmingCharacters(in: .whitespaces)
        return token == apiKey ? nil : DifyErrorBody.unauthorized()
    }
}
