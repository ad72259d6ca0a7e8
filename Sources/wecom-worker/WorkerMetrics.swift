import BotStore
import Metrics
import WorkerCore

/// The worker's metrics: the families its runners add to (one process, so the region is only
/// shared by its threads), and the ones made at scrape time from the pool and the store.
final class WorkerMetrics: JobMetrics {
    static let started = MetricFamily(name: "wecom_jobs_started_total", help: "Job attempts started.", kind: .counter)
    static let finished = MetricFamily(
        name: "wecom_jobs_finished_total", help: "Job attempts ended, by outcome.", kind: .counter,
        labels: [MetricLabel("outcome", values: JobEnd.allCases.map(\.rawValue))])
    static let fallbacks = MetricFamily(
        name: "wecom_answer_fallbacks_total",
        help: "Answers closed at the stream deadline, and answers posted to response_url.", kind: .counter,
        labels: [MetricLabel("kind", values: AnswerFallback.allCases.map(\.rawValue))])
    static let wait = MetricFamily(
        name: "wecom_job_wait_seconds", help: "Time from the user's message to the start of a job attempt.",
        kind: .histogram(buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]))
    static let duration = MetricFamily(
        name: "wecom_answer_duration_seconds", help: "Time from the start of a job attempt to its end.",
        kind: .histogram(buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600]))
    static let firstToken = MetricFamily(
        name: "wecom_time_to_first_token_seconds", help: "Time from the request to Dify to the first answer text.",
        kind: .histogram(buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60]))
    static let difyErrors = MetricFamily(
        name: "wecom_dify_errors_total", help: "Dify failures that ended a job attempt, by kind.", kind: .counter,
        labels: [MetricLabel("kind", values: DifyErrorKind.allCases.map(\.rawValue))])
    static let media = MetricFamily(
        name: "wecom_media_downloads_total", help: "Users' media files downloaded from WeCom, by result.", kind: .counter,
        labels: [MetricLabel("result", values: ["ok", "failed"])])
    // Read at scrape time, not in the region.
    static let slots = MetricFamily(
        name: "wecom_worker_slots", help: "Job slots of this process, busy and free.", kind: .gauge,
        labels: [MetricLabel("state", values: ["busy", "free"])])
    static let queueJobs = MetricFamily(
        name: "wecom_queue_jobs", help: "Jobs in the store, by state.", kind: .gauge,
        labels: [MetricLabel("state", values: JobState.allCases.map(\.rawValue))])
    static let oldestQueued = MetricFamily(
        name: "wecom_queue_oldest_job_age_seconds", help: "Age of the oldest queued job (0 when none is queued).",
        kind: .gauge)
    static let openStreams = MetricFamily(
        name: "wecom_open_streams", help: "Streams not finished yet (pending or streaming).", kind: .gauge)
    static let liveWorkers = MetricFamily(
        name: "wecom_workers_live", help: "Workers whose heartbeat is recent, from the store.", kind: .gauge)

    let region: MetricsRegion
    private let startedCounter: Counter
    private let finishedCounters: [Counter]
    private let fallbackCounters: [Counter]
    private let waits: Histogram
    private let durations: Histogram
    private let firstTokens: Histogram
    private let difyErrorCounters: [Counter]
    private let mediaOK: Counter
    private let mediaFailed: Counter

    init() throws {
        region = try MetricsRegion(catalogue: MetricsCatalogue([
            Self.started, Self.finished, Self.fallbacks, Self.wait, Self.duration, Self.firstToken, Self.difyErrors, Self.media,
        ]))
        startedCounter = region.counter(Self.started)
        finishedCounters = JobEnd.allCases.map { [region] in region.counter(Self.finished, $0.rawValue) }
        fallbackCounters = AnswerFallback.allCases.map { [region] in region.counter(Self.fallbacks, $0.rawValue) }
        waits = region.histogram(Self.wait)
        durations = region.histogram(Self.duration)
        firstTokens = region.histogram(Self.firstToken)
        difyErrorCounters = DifyErrorKind.allCases.map { [region] in region.counter(Self.difyErrors, $0.rawValue) }
        mediaOK = region.counter(Self.media, "ok")
        mediaFailed = region.counter(Self.media, "failed")
    }

    func jobStarted(waited: Duration) {
        startedCounter.increment()
        waits.observe(waited)
    }

    func jobFinished(_ outcome: JobEnd, took: Duration) {
        finishedCounters[JobEnd.allCases.firstIndex(of: outcome) ?? 0].increment()
        durations.observe(took)
    }

    func answerFallback(_ fallback: AnswerFallback) {
        fallbackCounters[AnswerFallback.allCases.firstIndex(of: fallback) ?? 0].increment()
    }

    func firstToken(after: Duration) { firstTokens.observe(after) }

    func difyError(_ kind: DifyErrorKind) {
        difyErrorCounters[DifyErrorKind.allCases.firstIndex(of: kind) ?? 0].increment()
    }

    func mediaDownload(succeeded: Bool) { (succeeded ? mediaOK : mediaFailed).increment() }

    /// The text of one scrape: the region's totals, the pool's slots, and the queue as last read
    /// (left out when the store cannot be read: `/healthz` says why).
    func scrape(busy: Int, concurrency: Int, queue: QueueSnapshot?) -> String {
        var readings = region.read()
        readings.append(FamilyReading(gauge: Self.slots, [Double(busy), Double(max(0, concurrency - busy))]))
        if let queue {
            let report = queue.report
            readings.append(FamilyReading(gauge: Self.queueJobs, JobState.allCases.map { Double(report.jobs[$0] ?? 0) }))
            readings.append(FamilyReading(gauge: Self.oldestQueued, [Double(report.oldestQueuedAge ?? 0)]))
            let open = (report.streams[.pending] ?? 0) + (report.streams[.streaming] ?? 0)
            readings.append(FamilyReading(gauge: Self.openStreams, [Double(open)]))
            readings.append(FamilyReading(gauge: Self.liveWorkers, [Double(queue.liveWorkers)]))
        }
        return PrometheusText.render(readings)
    }
}
