import BotConfig
import BotStore
import DifyClient
import Foundation
import Logging
import WeComModel

/// Runs one claimed job to its end: media in, Dify's answer streamed into the stream row,
/// answer images out, the 6-minute window, retries and readable failures. One runner per
/// worker thread (it is given that thread's clients, with their curl handles; each store
/// call borrows a connection from the process's shared pool).
public final class JobRunner {
    let configuration: Configuration
    let settings: WorkerSettings
    let stores: StorePool<any BotStore>
    let progress: ProgressWriter
    /// The lease owner of the job being run (unique per claim).
    private(set) var owner = ""
    let logger: Logger
    let clock: () -> Double
    let metrics: any JobMetrics
    let dify: any DifyService
    let fetcher: any MediaFetching
    private let makePoster: () -> any ResponseURLPosting
    /// Made on the first late delivery (see ``RunnerClients/makePoster``).
    lazy var poster = makePoster()
    /// Set by the pool when shutdown's grace period is over: in-flight answers stop and
    /// their jobs go back to the queue for another worker.
    public var shouldRelease: () -> Bool = { false }

    public init(configuration: Configuration, stores: StorePool<any BotStore>, progress: ProgressWriter,
                clients: RunnerClients, logger: Logger, metrics: any JobMetrics = NoJobMetrics(),
                clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.configuration = configuration
        self.settings = WorkerSettings(configuration: configuration)
        self.stores = stores
        self.progress = progress
        self.dify = clients.dify
        self.fetcher = clients.fetcher
        self.makePoster = clients.makePoster
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
    }

    /// Lost the lease (another worker re-claimed the job): stop without writing.
    struct LeaseLost: Error {}
    /// Shutdown asked for the job to be handed back.
    struct Released: Error {}

    var nowSeconds: Int64 { Int64(clock()) }

    /// Runs one store call on a pooled connection (held only for that call).
    func withStore<T>(_ body: (any BotStore) throws -> T) throws -> T {
        try stores.withStore(body)
    }

    /// Runs `job`, claimed under lease owner `owner`.
    public func run(_ job: ClaimedJob, owner: String) {
        self.owner = owner
        defer { progress.forget(job.id) }
        var log = logger
        log[metadataKey: "job"] = "\(job.id)"
        log[metadataKey: "stream"] = "\(job.streamID)"
        let started = clock()
        metrics.jobStarted(waited: .seconds(started - Double(job.messageAt)))
        // A failure that even `fail` could not record leaves the job running until its lease
        // expires: no outcome to count.
        var end: JobEnd?
        do {
            let outcome = try answer(job, log: log)
            end = JobEnd(word: outcome)
            log.info("job finished", metadata: ["outcome": "\(outcome)", "attempt": "\(job.attempts)",
                                                "seconds": "\(String(format: "%.3f", clock() - started))"])
        } catch is LeaseLost {
            end = .leaseLost
            log.warning("lease lost: another worker owns the job now")
        } catch is Released {
            end = .released
            _ = try? withStore { try $0.retryJob(jobID: job.id, owner: owner, runAt: nowSeconds, error: "released at worker shutdown", now: nowSeconds) }
            log.notice("job released at shutdown")
        } catch {
            // A store error (the database busy past its timeout, a full disk): worth another try.
            log.error("job failed unexpectedly: \(error)")
            do {
                end = JobEnd(word: try fail(job, JobFailure(notice: UserNotice.jobFailed, detail: "internal: \(error)", transient: true),
                                            partial: "", closedEarly: false, log: log))
            } catch is LeaseLost {
                end = .leaseLost
            } catch {}
        }
        if let end { metrics.jobFinished(end, took: .seconds(max(0, clock() - started))) }
    }

    static let retryWord = "retry"

    /// Returns a short word for the log: done, retry, dead.
    func answer(_ job: ClaimedJob, log: Logger) throws -> String {
        guard job.attempts <= job.maxAttempts else {
            return try fail(job, JobFailure(notice: UserNotice.jobFailed, detail: "gave up after \(job.attempts - 1) attempts",
                                            transient: false), partial: "", closedEarly: false, log: log)
        }
        let queued: JobPayload
        do {
            queued = try JobPayload(decoding: job.payload)
        } catch {
            return try fail(job, JobFailure(notice: UserNotice.jobFailed, detail: "unreadable payload: \(error)", transient: false),
                            partial: "", closedEarly: false, log: log)
        }
        let resolver = AgentEndpointResolver(configuration: configuration, stores: stores)
        guard let agent = try resolver.agent(for: job.agent) else {
            return try fail(job, .noAgent, partial: "", closedEarly: false, log: log)
        }
        let conversation = ConversationKey(botID: job.botID, agent: agent.key, chat: job.chatID ?? "", userID: job.userID)
        if ResetCommand.matches(queued.text) {
            try withStore { try $0.clearConversation(conversation) }
            return try finish(job, JobOutcome(kind: .done, content: UserNotice.newConversation))
        }
        // A group message that is only the bot's @name: Dify refuses an empty query, so ask
        // the user for the question instead of showing them Dify's refusal.
        if queued.query.isEmpty {
            return try finish(job, JobOutcome(kind: .done, content: UserNotice.emptyQuestion))
        }
        var stream = AnswerStream(job: job, settings: settings, start: clock(), longConnection: queued.longConnection)
        guard let endpoint = agent.endpoint else {
            try echo(queued.query, job: job, stream: &stream)
            return try complete(job, answer: stream.received, agent: agent, stream: stream, log: log)
        }
        let user = DifyUser.id(userID: job.userID, chatID: job.chatID)
        let files: [DifyFileRef]
        do {
            files = try uploadMedia(queued, job: job, endpoint: endpoint, user: user)
        } catch let failure as JobFailure {
            return try fail(job, failure, partial: "", closedEarly: false, log: log)
        }
        do {
            let answer = try chat(queued.query, files: files, job: job, endpoint: endpoint, user: user,
                                  conversation: conversation, stream: &stream)
            return try complete(job, answer: answer, agent: agent, stream: stream, log: log)
        } catch let error as DifyError {
            return try fail(job, .dify(error), partial: stream.displayText, closedEarly: stream.closedEarly, log: log)
        }
    }

    /// Renews the lease between slow steps (uploads, image fetches) outside the Dify stream.
    func renewLease(_ job: ClaimedJob) throws {
        let until = Int64(clock() + settings.lease)
        guard try withStore({ try $0.renewLease(jobID: job.id, owner: owner, leaseUntil: until, now: nowSeconds) }) else {
            throw LeaseLost()
        }
    }

    func finish(_ job: ClaimedJob, _ outcome: JobOutcome) throws -> String {
        guard try withStore({ try $0.finishJob(jobID: job.id, owner: owner, outcome: outcome, now: nowSeconds) }) else {
            throw LeaseLost()
        }
        return outcome.kind.rawValue
    }

    /// A failure: retried when transient and nothing was shown yet, else a readable message.
    func fail(_ job: ClaimedJob, _ failure: JobFailure, partial: String, closedEarly: Bool, log: Logger) throws -> String {
        if let kind = failure.difyKind { metrics.difyError(kind) }
        if settings.retry.shouldRetry(transient: failure.transient, answerStarted: !partial.isEmpty || closedEarly,
                                      attempts: job.attempts, maxAttempts: job.maxAttempts) {
            let delay = settings.retry.delay(afterAttempt: job.attempts, jitter: Double.random(in: 0...1))
            let runAt = nowSeconds + Int64(delay.rounded(.up))
            guard try withStore({ try $0.retryJob(jobID: job.id, owner: owner, runAt: runAt, error: failure.detail, now: nowSeconds) })
            else { throw LeaseLost() }
            log.warning("job will retry", metadata: ["error": "\(failure.detail)", "in_seconds": "\(Int(delay.rounded(.up)))"])
            return Self.retryWord
        }
        let content = UserNotice.interrupted(partial: partial, notice: failure.notice)
        let word = try finish(job, JobOutcome(kind: .dead, content: StreamContent.truncated(content), error: failure.detail))
        log.warning("job failed", metadata: ["error": "\(failure.detail)"])
        if closedEarly { deliverLate(job, content: content, log: log) }
        return word
    }
}

@available(*, unavailable) extension JobRunner: Sendable {}

extension JobEnd {
    /// The outcome of ``JobRunner/answer(_:log:)``'s word for the log.
    init(word: String) {
        switch word {
        case JobRunner.retryWord: self = .failed
        case JobOutcome.Kind.dead.rawValue: self = .dead
        default: self = .answered
        }
    }
}
