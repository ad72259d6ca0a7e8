import JSONCore
import LongConnection
import Synchronization
import WeComWSStandIn

/// Connections in memory, for the session's state machine without sockets: the test sees every
/// frame the session sends and plays WeCom's part by hand.
final class FakeConnector: WebSocketConnector {
    /// Every connection opened, in order.
    let connections = AwaitableLog<FakeConnection>()
    /// Attempts to open, successful or not.
    let attempts = AwaitableLog<Int>()
    private let plan = Mutex<[Result<Void, LongConnectionError>?]>([])

    /// The next attempts fail with these errors (nil: hang until abandoned).
    func failNext(_ outcomes: [LongConnectionError?]) {
        plan.withLock { $0 += outcomes.map { $0.map { .failure($0) } ?? nil } }
    }

    func open(url: String) async throws -> any WebSocketConnection {
        attempts.append(attempts.count + 1)
        let next: Result<Void, LongConnectionError>?? = plan.withLock { $0.isEmpty ? .some(.success(())) : $0.removeFirst() }
        switch next {
        case .some(.some(.success)), .none:
            let connection = FakeConnection()
            connections.append(connection)
            return connection
        case let .some(.some(.failure(error))):
            throw error
        case .some(.none):
            // Hangs like a server that never answers the upgrade, until the attempt is abandoned.
            let (never, keeper) = AsyncStream<Void>.makeStream()
            for await _ in never {}
            keeper.finish()
            throw CancellationError()
        }
    }
}

final class FakeConnection: WebSocketConnection {
    let messages: AsyncThrowingStream<[UInt8], any Error>
    private let sink: AsyncThrowingStream<[UInt8], any Error>.Continuation
    /// The frames the session sent, decoded.
    let sent = AwaitableLog<Frame>()
    let closes = AwaitableLog<Bool>()

    init() {
        (messages, sink) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
    }

    func send(_ text: [UInt8]) async throws {
        guard case let .command(frame) = try FrameCodec.decode(text) else { throw LongConnectionError.sendFailed("not a command") }
        sent.append(frame)
    }

    func close() async {
        sink.finish()
        closes.append(true)
    }

    var isClosed: Bool { closes.count > 0 }

    // WeCom's side.

    func push(_ frame: Frame) { sink.yield(FrameCodec.encode(frame)) }

    func ack(_ reqID: String, errcode: Int = 0, errmsg: String = "ok") {
        sink.yield(FrameCodec.encode(Ack(reqID: reqID, errcode: errcode, errmsg: errmsg)))
    }

    func pushRaw(_ text: String) { sink.yield(Array(text.utf8)) }

    /// The server goes away without a word.
    func drop() { sink.finish() }

    /// Waits for the `count`-th frame with `command` and returns it.
    func frame(_ command: FrameCommand, number count: Int = 1) async -> Frame? {
        guard await sent.wait(count: count, where: { $0.command == command }) else { return nil }
        let matching = sent.all.filter { $0.command == command }
        return matching[count - 1]
    }
}

/// Records what a session hands on.
final class RecordingHandler: SessionHandler {
    let frames = AwaitableLog<Frame>()
    let events = AwaitableLog<SessionEvent>()

    func session(_ session: BotSession, received frame: Frame) async { frames.append(frame) }
    func session(_ session: BotSession, changed event: SessionEvent) async { events.append(event) }
}
