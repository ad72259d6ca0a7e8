import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import WSClient

/// Opens connections with swift-websocket's `WebSocketClient` (SwiftNIO and NIOSSL): the only
/// file that knows the library. TLS verifies the server's certificate chain and host name
/// against the system's trust store plus the CAs of `extraCAFile`; WebSocket-level pings from
/// the server are answered by the library.
public struct WebSocketClientConnector: WebSocketConnector {
    /// The largest message either way: an upload chunk is 512 KB before base64 (§8.4).
    public static let maxMessageBytes = 1 << 20
    /// How long closing waits for the server's close frame and TLS close_notify.
    static let closeGrace = TimeAmount.seconds(2)

    private let tls: TLSConfiguration
    private let logger: Logger
    private let taskExecutor: (any TaskExecutor)?

    /// - Parameters:
    ///   - extraCAFile: PEM certificates trusted besides the system's (`WECOM_WS_CA_FILE`).
    ///   - logger: the library logs through it at debug level at most: at trace it would dump
    ///     the start of every frame, and the subscription frame holds the secret.
    ///   - taskExecutor: where each connection's task runs (the one that hands received messages
    ///     on); nil for Swift's global pool.
    public init(extraCAFile: String?, logger: Logger, taskExecutor: (any TaskExecutor)? = nil) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        // A dead peer never sends its close_notify; the default would hold a reconnect up 5 s.
        tls.shutdownTimeout = Self.closeGrace
        if let path = extraCAFile {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw LongConnectionError.unreadableCAFile(path: path, reason: String(describing: error))
            }
            guard !certificates.isEmpty else {
                throw LongConnectionError.unreadableCAFile(path: path, reason: "no certificate in the file")
            }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        self.tls = tls
        var libraryLogger = logger
        if libraryLogger.logLevel < .debug { libraryLogger.logLevel = .debug }
        self.logger = libraryLogger
        self.taskExecutor = taskExecutor
    }

    public func open(url: String) async throws -> any WebSocketConnection {
        let (opened, openedSink) = AsyncThrowingStream<WebSocketOutboundWriter, any Error>.makeStream()
        let (messages, messageSink) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let (closeRequests, closeSink) = AsyncStream<Void>.makeStream()
        let configuration = WebSocketClientConfiguration(maxFrameSize: Self.maxMessageBytes, closeTimeout: .seconds(2))
        let grace = Duration.nanoseconds(Self.closeGrace.nanoseconds)
        let tls = tls, logger = logger
        // The library keeps a connection open while its handler runs: the handler hands out the
        // writer, then forwards messages until the server closes. `close()` sends the close frame
        // and lets the server's answering close frame end the messages, so that both sides shut
        // TLS down cleanly; a server that does not answer gets cut off after the grace period.
        let task = Task(executorPreference: taskExecutor) {
            do {
                try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls,
                                                  logger: logger) { inbound, outbound, _ in
                    guard !Task.isCancelled else { return }
                    openedSink.yield(outbound)
                    openedSink.finish()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                                switch message {
                                case let .text(text): messageSink.yield(Array(text.utf8))
                                case let .binary(buffer): messageSink.yield(Array(buffer.readableBytesView))
                                }
                            }
                        }
                        group.addTask {
                            for await _ in closeRequests {}
                            try await outbound.close(.normalClosure, reason: nil)
                            try await Task.sleep(for: grace)
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                openedSink.finish(throwing: LongConnectionError.connectFailed("the connection closed during the handshake"))
                messageSink.finish()
            } catch {
                openedSink.finish(throwing: error)
                messageSink.finish(throwing: error)
            }
        }
        return try await withTaskCancellationHandler {
            for try await writer in opened {
                return ClientConnection(writer: writer, messages: messages, closeSink: closeSink, task: task)
            }
            throw CancellationError()
        } onCancel: {
            task.cancel()
        }
    }
}

/// A connection of `WebSocketClientConnector`.
private final class ClientConnection: WebSocketConnection {
    let messages: AsyncThrowingStream<[UInt8], any Error>
    private let writer: WebSocketOutboundWriter
    private let closeSink: AsyncStream<Void>.Continuation
    private let task: Task<Void, Never>

    init(writer: WebSocketOutboundWriter, messages: AsyncThrowingStream<[UInt8], any Error>,
         closeSink: AsyncStream<Void>.Continuation, task: Task<Void, Never>) {
        self.writer = writer
        self.messages = messages
        self.closeSink = closeSink
        self.task = task
    }

    func send(_ text: [UInt8]) async throws {
        try await writer.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: text))))
    }

    /// Sends the close frame and returns once the socket is closed.
    func close() async {
        closeSink.finish()
        await task.value
    }
}
