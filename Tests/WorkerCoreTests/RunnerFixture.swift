import BotConfig
import BotStore
import DifyClient
import DifyStandIn
import Foundation
import LogRecorder
import SQLiteStore
import Testing
@testable import WorkerCore

/// Job runners on real parts: a SQLite file, the Dify stand-in (real HTTP in Dify's wire
/// format, which also takes response_url posts), the curl clients, a progress writer, and a
/// clock that moves only when the test moves it.
final class RunnerFixture {
    /// When the first message arrives (the clock's start).
    static let messageAt: Double = 1_700_000_000
    /// Seconds a claim holds its lease (`WECOM_JOB_LEASE`'s default).
    static let lease: Int64 = 30

    let dify: DifyStandIn
    let clock = TestClock(messageAt)
    let log = RecordedLog()
    /// What the runners told their metrics.
    let metrics = RecordedJobMetrics()
    /// The test's own connection, for setting up and checking rows.
    let store: SQLiteStore
    let configuration: Configuration
    let progress: ProgressWriter
    private let stores: StorePool<any BotStore>
    private let path: String

    /// `environment` adds to or overrides the worker's variables.
    init(environment: [String: String] = [:]) throws {
        dify = try DifyStandIn()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString).sqlite3").path
        self.path = path
        store = try SQLiteStore(path: path)
        try store.migrate()
        var values = [
            "DIFY_API_BASE_URL": dify.apiBaseURL, "DIFY_API_KEY": dify.apiKey, "WECOM_DB_PATH": path,
            "WECOM_ALLOW_PRIVATE_FETCH": "1", "WECOM_RESPONSE_URL_ALLOW": dify.baseURL,
            "WECOM_STREAM_FLUSH_INTERVAL": "0.01", "WECOM_JOB_LEASE": "\(Self.lease)",
        ]
        values.merge(environment) { _, new in new }
        configuration = try Configuration(values: values)
        stores = StorePool(capacity: 2) { try SQLiteStore(path: path) }
        progress = ProgressWriter(store: try SQLiteStore(path: path), interval: configuration.streamFlushInterval,
                                  logger: log.logger)
        progress.start()
    }

    deinit {
        progress.stop()
        dify.stop()
        store.close()
        for suffix in ["", "-wal", "-shm", "-accept.lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Whose conversation a job of ``claimNewJob(_:msgID:responseURL:maxAttempts:owner:)`` continues.
    static let conversation = ConversationKey(botID: "bot-1", agent: "default", chat: "", userID: "zhangsan")

    /// Accepts a text message `text` at the clock's time and claims its job as `owner`.
    func claimNewJob(_ text: String, msgID: String = "msg-1", responseURL: String? = nil, maxAttempts: Int = 3,
                     owner: String = "runner-1") throws -> ClaimedJob {
        try claimNewJob(body: ["msgtype": "text", "text": ["content": text]], text: text, msgID: msgID,
                        responseURL: responseURL, maxAttempts: maxAttempts, owner: owner)
    }

    /// Accepts a direct message from zhangsan whose `msgtype` and its struct are `body`, with the
    /// user's clean `text`, and claims its job as `owner`.
    func claimNewJob(body: [String: Any], text: String?, msgID: String = "msg-1", responseURL: String? = nil,
                     maxAttempts: Int = 3, owner: String = "runner-1") throws -> ClaimedJob {
        var callback: [String: Any] = ["msgid": msgID, "aibotid": "aib-1", "chattype": "single", "from": ["userid": "zhangsan"]]
        callback.merge(body) { _, new in new }
        let payload = try JSONSerialization.data(withJSONObject: ["v": 1, "text": text.map { $0 as Any } ?? NSNull(), "message": callback])
        let message = NewMessage(botID: "bot-1", aibotID: "aib-1", msgID: msgID, msgType: callback["msgtype"] as? String ?? "",
                                 chatID: nil, chatType: "single", userID: "zhangsan", agent: nil,
                                 proposedStreamID: "stream-\(msgID)", initialContent: "", responseURL: responseURL,
                                 payload: String(decoding: payload, as: UTF8.self), maxAttempts: maxAttempts)
        _ = try store.acceptMessage(message, now: Int64(clock.now))
        return try claim(owner: owner)
    }

    /// Claims the next due job at the clock's time, as a worker's claimer does.
    func claim(owner: String) throws -> ClaimedJob {
        try #require(try store.claimJob(owner: owner, now: Int64(clock.now), lease: Self.lease))
    }

    /// Runs `job`, claimed as `owner`, on a thread of its own with fresh curl clients, as a
    /// worker's runner thread does.
    func start(_ job: ClaimedJob, owner: String = "runner-1") -> RunningJob {
        let running = RunningJob()
        let (configuration, stores, progress, logger) = (configuration, stores, progress, log.logger)
        let (clock, metrics) = (clock, metrics)
        let thread = Thread {
            let clients = RunnerClients(dify: DifyClient(), fetcher: SafeFetcher(), makePoster: { ResponseURLPoster() })
            let runner = JobRunner(configuration: configuration, stores: stores, progress: progress, clients: clients,
                                   logger: logger, metrics: metrics, clock: { clock.now })
            runner.shouldRelease = { running.isReleased }
            runner.run(job, owner: owner)
            running.finish()
        }
        thread.start()
        return running
    }

    /// The job's stream with its job row, as `wecomctl stream` reads them.
    func detail(_ job: ClaimedJob) throws -> StreamDetail {
        try #require(try store.streamDetail(id: job.streamID))
    }

    /// Polls `condition` (on the test's own connection) until it holds, for at most 10 s.
    func waitUntil(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while try !condition() {
            try #require(Date() < deadline, "timed out waiting until \(what)")
            usleep(2_000)
        }
    }
}

/// A job running on its runner thread; `wait` returns once `run` has returned.
final class RunningJob: @unchecked Sendable {
    // @unchecked: `done` and `released` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var done = false
    private var released = false

    /// Shutdown's grace period is over (for this runner's worker): the answer is handed back.
    func release() {
        condition.lock(); released = true; condition.unlock()
    }

    fileprivate var isReleased: Bool {
        condition.lock(); defer { condition.unlock() }
        return released
    }

    fileprivate func finish() {
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the run to end; false after `timeout` seconds.
    func wait(timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock(); defer { condition.unlock() }
        while !done {
            if !condition.wait(until: deadline) { return done }
        }
        return true
    }
}
