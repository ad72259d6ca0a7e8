import JSONCore
import LogRecorder
import Testing
import WeComWSStandIn
@testable import LongConnection

/// A session on the in-memory transport and the manual clock, running from the start.
struct SessionFixture {
    static let credentials = BotCredentials(botID: "aibTEST", secret: "ws-Secret-42")

    let clock = ManualClock()
    let connector = FakeConnector()
    let handler: any SessionHandler
    let log = RecordedLog()
    let session: BotSession
    let run: Task<SessionEnd, Never>

    /// `random` 0 keeps every back-off wait at its full doubling value. `failing` are the outcomes
    /// of the first attempts to open (nil: the attempt hangs), set before the session starts:
    /// set afterwards, a session scheduled first would open its first connection normally.
    init(settings: SessionSettings = SessionSettings(url: "ws://fake.invalid"), handler: any SessionHandler = RecordingHandler(),
         random: @escaping @Sendable () -> Double = { 0 }, metrics: any SessionMetrics = NoSessionMetrics(),
         failing: [LongConnectionError?] = []) {
        self.handler = handler
        if !failing.isEmpty { connector.failNext(failing) }
        let session = BotSession(credentials: Self.credentials, settings: settings, connector: connector, handler: handler,
                                 logger: log.logger, clock: clock, random: random, requestIDs: RequestIDGenerator(token: 1),
                                 metrics: metrics)
        self.session = session
        run = Task(executorPreference: TestThreads.shared) { await session.run() }
    }

    var recorded: RecordingHandler { handler as! RecordingHandler }

    /// Waits for connection `number` and acks its subscription; with errcode 0, also waits until
    /// the session reports it.
    @discardableResult
    func subscribe(_ number: Int = 1, errcode: Int = 0, errmsg: String = "ok") async throws -> FakeConnection {
        try #require(await connector.connections.wait(count: number))
        let connection = connector.connections.all[number - 1]
        let subscribe = try #require(await connection.frame(.subscribe))
        let before = (handler as? RecordingHandler)?.events.all.filter { $0 == .subscribed }.count ?? 0
        connection.ack(subscribe.reqID, errcode: errcode, errmsg: errmsg)
        if errcode == 0, let recorder = handler as? RecordingHandler {
            try #require(await recorder.events.wait(count: before + 1, where: { $0 == .subscribed }))
        }
        return connection
    }

    /// Moves the clock to `seconds` once something sleeps until then.
    func advance(to seconds: Double) async throws {
        try #require(await clock.waitForSleeper(at: .seconds(seconds)), "nothing sleeps until \(seconds) s")
        clock.advance(to: .seconds(seconds))
    }

    func stop() async -> SessionEnd {
        run.cancel()
        return await run.value
    }
}

/// Polls `condition` until it holds (false after a real-time safety limit), for state that
/// offers no notification.
func eventually(_ condition: () async -> Bool) async -> Bool {
    let limit = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < limit {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return false
}

extension Frame {
    static func text(_ content: String, reqID: String) -> Frame {
        Frame(command: .messageCallback, reqID: reqID, body: ["msgid": .string("msg-\(reqID)"), "msgtype": "text",
                                                              "text": ["content": .string(content)]])
    }
}
