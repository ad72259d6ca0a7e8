/// Why a long connection is down or a request failed. Descriptions name the bot and the
/// library's or WeCom's reason, never a secret or a frame's body.
public enum LongConnectionError: Error, Equatable, CustomStringConvertible {
    /// The WebSocket could not be opened (DNS, TCP, TLS, the HTTP upgrade): the library's reason.
    case connectFailed(String)
    /// Opening took longer than `SessionSettings.openTimeout`.
    case openTimedOut
    /// WeCom answered `aibot_subscribe` with an error; 853000 means a wrong BotID or secret.
    case subscribeRefused(botID: String, errcode: Int, errmsg: String)
    /// No ack for a request within `SessionSettings.ackTimeout`.
    case ackTimeout(command: FrameCommand, reqID: String)
    /// `allowedMissedPings` heartbeats in a row went unacknowledged.
    case heartbeatLost(missed: Int)
    /// The server closed the connection.
    case closedByServer
    /// The connection failed while open: the library's reason.
    case connectionFailed(String)
    /// The connection ended while a request waited for its ack; it may or may not have arrived.
    case connectionLost
    /// No subscribed connection right now; try again once the session reports `subscribed`.
    case notConnected
    /// The frame could not be written: the library's reason.
    case sendFailed(String)
    /// A request with this `req_id` already waits for its ack (only `BotSession.send` keeps them apart).
    case duplicateRequest(reqID: String)
    /// The extra CA file could not be read as PEM certificates.
    case unreadableCAFile(path: String, reason: String)

    /// WeCom's code for a wrong BotID or secret (docs/wecom-protocol.md §8.5).
    public static let invalidCredentials = 853000

    public var description: String {
        switch self {
        case let .connectFailed(reason): return "cannot connect: \(reason)"
        case .openTimedOut: return "cannot connect: timed out"
        case let .subscribeRefused(botID, errcode, errmsg) where errcode == Self.invalidCredentials:
            return "bot \(botID): WeCom refused the BotID or long-connection secret (\(errcode) \(errmsg))"
        case let .subscribeRefused(botID, errcode, errmsg):
            return "bot \(botID): subscription refused (\(errcode) \(errmsg))"
        case let .ackTimeout(command, reqID): return "no ack for \(command) req_id=\(reqID)"
        case let .heartbeatLost(missed): return "no ack for \(missed) heartbeats in a row"
        case .closedByServer: return "the server closed the connection"
        case let .connectionFailed(reason): return "connection failed: \(reason)"
        case .connectionLost: return "the connection ended before the ack"
        case .notConnected: return "not connected"
        case let .sendFailed(reason): return "cannot send: \(reason)"
        case let .duplicateRequest(reqID): return "a request with req_id=\(reqID) already waits for its ack"
        case let .unreadableCAFile(path, reason): return "cannot read CA certificates from \(path): \(reason)"
        }
    }
}
