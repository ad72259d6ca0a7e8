import LogRecorder
import WeComWSStandIn
@testable import LongConnection

/// A session over real sockets to the stand-in WeCom server, on the real clock with short
/// intervals (the tests wait for what happens, never for how long it takes).
struct LiveSession {
    let standIn: WeComWSStandIn
    let handler = RecordingHandler()
    let log = RecordedLog()
    let session: BotSession
    let run: Task<SessionEnd, Never>

    /// `ackTimeout` is long, so that a busy machine never misses an ack by accident; the test of
    /// missed heartbeats shortens it.
    init(_ standIn: WeComWSStandIn, secret: String = "standin-secret", caFile: String? = nil,
         ackTimeout: Duration = .seconds(10)) throws {
        self.standIn = standIn
        let settings = SessionSettings(url: standIn.url, pingInterval: .milliseconds(100), ackTimeout: ackTimeout,
                                       openTimeout: .seconds(10), backoff: ReconnectBackoff(first: .milliseconds(20), cap: .milliseconds(100)))
        let connector = try WebSocketClientConnector(extraCAFile: caFile, logger: log.logger, taskExecutor: TestThreads.shared)
        let session = BotSession(credentials: BotCredentials(botID: "standin-bot", secret: secret), settings: settings,
                                 connector: connector, handler: handler, logger: log.logger)
        self.session = session
        run = Task(executorPreference: TestThreads.shared) { await session.run() }
    }

    func received(_ command: FrameCommand) -> [WeComWSStandIn.Received] {
        standIn.received.all.filter { $0.frame.command == command }
    }

    func waitFor(_ command: FrameCommand, count: Int = 1, onConnection connection: Int? = nil) async -> Bool {
        await standIn.received.wait(count: count) { $0.frame.command == command && (connection == nil || $0.connection == connection) }
    }

    func waitForSubscriptions(_ count: Int) async -> Bool {
        await handler.events.wait(count: count) { $0 == .subscribed }
    }

    func stop() async throws -> SessionEnd {
        run.cancel()
        let end = await run.value
        try await standIn.shutdown()
        return end
    }
}
