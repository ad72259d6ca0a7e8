import BotStore
import CallbackHandler
import FastCGIServer
import Metrics

/// The responder's metrics: its families, the region they live in (mapped by the process that
/// forks the serving processes, before it forks, so every child adds to the same totals), and
/// what `/healthz` checks.
final class ResponderMetrics: Sendable {
    /// Every status the handler answers with; anything else would be a new status to add here.
    static let statuses = ["200", "400", "403", "404", "405", "413", "500", "503"]
    static let kind = MetricLabel("kind", values: CallbackKind.allCases.map(\.rawValue))

    static let callbacks = MetricFamily(
        name: "wecom_callbacks_total", help: "Callbacks answered, by kind and HTTP status.", kind: .counter,
        labels: [kind, MetricLabel("status", values: statuses + ["other"])])
    static let duration = MetricFamily(
        name: "wecom_callback_duration_seconds",
        help: "Time the responder spent on a callback, from its body read to its answer built.",
        kind: .histogram(buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
        labels: [kind])
    static let rejections = MetricFamily(
        name: "wecom_callback_rejections_total", help: "Callbacks refused, by reason.", kind: .counter,
        labels: [MetricLabel("reason", values: RejectionCategory.allCases.map(\.rawValue))])
    static let storeErrors = MetricFamily(
        name: "wecom_store_errors_total", help: "Store calls that failed while handling a callback.", kind: .counter)
    /// Read at scrape time from the master (not in the region).
    static let processes = MetricFamily(
        name: "wecom_responder_processes", help: "Serving processes running now.", kind: .gauge)

    let region: MetricsRegion
    /// By kind, then status (as `callbacks` orders its series).
    private let callbackCounters: [[Counter]]
    private let durations: [Histogram]
    private let rejectionCounters: [Counter]
    private let storeErrorCounter: Counter

    init() throws {
        region = try MetricsRegion(catalogue: MetricsCatalogue([Self.callbacks, Self.duration, Self.rejections, Self.storeErrors]))
        callbackCounters = CallbackKind.allCases.map { [region] kind in
            (Self.statuses + ["other"]).map { region.counter(Self.callbacks, kind.rawValue, $0) }
        }
        durations = CallbackKind.allCases.map { [region] in region.histogram(Self.duration, $0.rawValue) }
        rejectionCounters = RejectionCategory.allCases.map { [region] in region.counter(Self.rejections, $0.rawValue) }
        storeErrorCounter = region.counter(Self.storeErrors)
    }

    func record(_ response: CallbackResponse, elapsed: Duration) {
        record(kind: response.kind, status: response.status, rejection: response.rejection,
               storeFailed: response.storeFailed, elapsed: elapsed)
    }

    /// A request the FastCGI server refused before the handler saw it: its kind is unknown.
    func record(_ refusal: FastCGIRefusal, elapsed: Duration) {
        let rejection: RejectionCategory = if case .tooLarge = refusal { .tooLarge } else { .malformed }
        record(kind: .unknown, status: refusal.status, rejection: rejection, storeFailed: false, elapsed: elapsed)
    }

    private func record(kind: CallbackKind, status: Int, rejection: RejectionCategory?, storeFailed: Bool, elapsed: Duration) {
        let kind = CallbackKind.allCases.firstIndex(of: kind) ?? 0
        let status = Self.statuses.firstIndex(of: String(status)) ?? Self.statuses.count
        callbackCounters[kind][status].increment()
        durations[kind].observe(elapsed)
        if let rejection, let index = RejectionCategory.allCases.firstIndex(of: rejection) {
            rejectionCounters[index].increment()
        }
        if storeFailed { storeErrorCounter.increment() }
    }

    /// The text of one scrape: the region's totals and the serving processes running now.
    func scrape(server: FastCGIServer) -> String {
        PrometheusText.render(region.read() + [FamilyReading(gauge: Self.processes, [Double(server.servingProcesses)])])
    }

    /// Healthy when a serving process runs and the store answers a read on a fresh connection
    /// (what a restarted serving process would need), with the store's own timeouts. The store is
    /// checked in the background (`storeCheck`): the master must not wait for it.
    static func health(server: FastCGIServer, storeCheck: BackgroundHealthCheck) -> Health {
        guard server.servingProcesses > 0 else { return .unhealthy("no serving process is running") }
        return storeCheck.health()
    }
}
