import LongConnection
import LongConnectionService
import Metrics
import WeComModel

/// `wecom-ws`'s metrics: what its sessions send, receive and get acked, their reconnects and the
/// bots this process holds, in a region of its own (one process, so nothing is shared by fork).
final class WSMetrics: ServiceMetrics {
    static let sentCommands: [FrameCommand] = [
        .subscribe, .ping, .respondMessage, .respondWelcome, .sendMessage, .uploadMediaInit, .uploadMediaChunk,
        .uploadMediaFinish,
    ]
    static let receivedCommands: [FrameCommand] = [.messageCallback, .eventCallback]
    /// The errcodes WeCom is known to answer with; any other counts as `other`.
    static let knownErrcodes = [
        LongConnectionErrcode.invalidRequestID, LongConnectionErrcode.alreadyAnswered, LongConnectionErrcode.rateLimited,
        LongConnectionErrcode.streamExpired, LongConnectionErrcode.invalidCredentials, LongConnectionErrcode.invalidChatID,
    ]
    static let ackResults = ["ok", "refused", "timeout"]

    static let bots = MetricFamily(
        name: "wecom_ws_bots", help: "Bots of this process: held (its connection lease) and connected (subscribed).",
        kind: .gauge, labels: [MetricLabel("state", values: ["held", "connected"])])
    static let reconnects = MetricFamily(
        name: "wecom_ws_reconnects_total", help: "Connections that went down and were opened again.", kind: .counter)
    static let framesReceived = MetricFamily(
        name: "wecom_ws_frames_received_total", help: "Callback frames WeCom pushed, by command.", kind: .counter,
        labels: [MetricLabel("command", values: receivedCommands.map(\.rawValue))])
    static let framesSent = MetricFamily(
        name: "wecom_ws_frames_sent_total", help: "Request frames written to WeCom, by command.", kind: .counter,
        labels: [MetricLabel("command", values: sentCommands.map(\.rawValue) + ["other"])])
    static let acks = MetricFamily(
        name: "wecom_ws_acks_total", help: "Acks of the requests sent: ok, refused (a non-zero errcode) or timed out.",
        kind: .counter, labels: [MetricLabel("result", values: ackResults)])
    static let errcodes = MetricFamily(
        name: "wecom_ws_errcodes_total", help: "Non-zero errcodes in the acks, by errcode.", kind: .counter,
        labels: [MetricLabel("errcode", values: knownErrcodes.map(String.init) + ["other"])])

    let region: MetricsRegion
    private let held: Gauge
    private let connected: Gauge
    private let reconnectCounter: Counter
    private let receivedCounters: [Counter]
    /// By `sentCommands`, then `other`.
    private let sentCounters: [Counter]
    /// By `ackResults`.
    private let ackCounters: [Counter]
    /// By `knownErrcodes`, then `other`.
    private let errcodeCounters: [Counter]

    init() throws {
        region = try MetricsRegion(catalogue: MetricsCatalogue([
            Self.bots, Self.reconnects, Self.framesReceived, Self.framesSent, Self.acks, Self.errcodes,
        ]))
        held = region.gauge(Self.bots, "held")
        connected = region.gauge(Self.bots, "connected")
        reconnectCounter = region.counter(Self.reconnects)
        receivedCounters = Self.receivedCommands.map { [region] in region.counter(Self.framesReceived, $0.rawValue) }
        sentCounters = (Self.sentCommands.map(\.rawValue) + ["other"]).map { [region] in region.counter(Self.framesSent, $0) }
        ackCounters = Self.ackResults.map { [region] in region.counter(Self.acks, $0) }
        errcodeCounters = (Self.knownErrcodes.map(String.init) + ["other"]).map { [region] in region.counter(Self.errcodes, $0) }
    }

    func sent(_ command: FrameCommand) {
        sentCounters[Self.sentCommands.firstIndex(of: command) ?? Self.sentCommands.count].increment()
    }

    func received(_ command: FrameCommand) {
        // Other pushed commands are ignored by the session and not counted.
        if let index = Self.receivedCommands.firstIndex(of: command) { receivedCounters[index].increment() }
    }

    func acked(_ command: FrameCommand, errcode: Int) {
        guard errcode != 0 else { return ackCounters[0].increment() }
        ackCounters[1].increment()
        errcodeCounters[Self.knownErrcodes.firstIndex(of: errcode) ?? Self.knownErrcodes.count].increment()
    }

    func ackTimedOut(_ command: FrameCommand) { ackCounters[2].increment() }

    func reconnecting() { reconnectCounter.increment() }

    func subscription(up: Bool) { connected.add(up ? 1 : -1) }

    func botsHeld(_ count: Int) { held.set(Int64(count)) }

    /// The text of one scrape: the region's values and the store's bots (when they could be read).
    func scrape(storeBots: StoreBotsReading) -> String {
        PrometheusText.render(region.read() + (storeBots.reading().map { [$0] } ?? []))
    }
}
