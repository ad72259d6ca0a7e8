/// Opens WebSocket connections. `WebSocketClientConnector` is the real one; the session's tests
/// use an in-memory one, so that its state machine is tested without sockets.
public protocol WebSocketConnector: Sendable {
    /// Connects, including TLS and the HTTP upgrade; returns once text messages can flow.
    /// Cancelling the calling task abandons the attempt.
    func open(url: String) async throws -> any WebSocketConnection
}

/// One open WebSocket connection, carrying text messages (JSON frames).
public protocol WebSocketConnection: Sendable {
    /// The text messages received, in order; ends when the connection closes, throws when it fails.
    var messages: AsyncThrowingStream<[UInt8], any Error> { get }
    /// Sends one text message.
    func send(_ text: [UInt8]) async throws
    /// Closes the connection (a close frame, then the socket) and returns when it is closed.
    func close() async
}
