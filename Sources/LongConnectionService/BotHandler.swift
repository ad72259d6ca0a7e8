import BotStore
import JSONCore
import Logging
import LongConnection

/// What one bot's session hands on: callbacks into the store through the same intake as the
/// callback mode, and the connection's ups and downs into the bot's lease row for
/// `wecomctl status`.
struct BotHandler: SessionHandler {
    let botID: String
    let lane: StoreLane
    let holder: String
    let intake: any FrameIntake
    let logger: Logger
    let now: @Sendable () -> Double

    func session(_ session: BotSession, received frame: Frame) async {
        guard let body = frame.body else {
            logger.notice("bot \(botID): \(frame) without a body ignored")
            return
        }
        let botID = botID, intake = intake, reqID = frame.reqID, at = Int64(now())
        do {
            if frame.command == .messageCallback {
                let queued = try await lane.run { try intake.acceptMessage(botID: botID, reqID: reqID, body: body, store: $0, now: at) }
                if queued { lane.notifyWorkers() }
                return
            }
            let reply = try await lane.run { try intake.handleEvent(botID: botID, body: body, store: $0, now: at) }
            if let welcome = reply {
                let ack = try await session.send(.welcomeText(reqID: reqID, content: welcome))
                if !ack.isSuccess { logger.warning("bot \(botID): welcome refused: \(ack)") }
            }
        } catch {
            logger.warning("bot \(botID): \(frame) not handled: \(error)")
        }
    }

    func session(_ session: BotSession, changed event: SessionEvent) async {
        let botID = botID, holder = holder, at = Int64(now())
        do {
            switch event {
            case .subscribed:
                _ = try await lane.run { try $0.recordConnected(botID: botID, holder: holder, now: at) }
            case let .down(error, _):
                let line = String(describing: error)
                _ = try await lane.run { try $0.recordDisconnected(botID: botID, holder: holder, error: line, now: at) }
            case .takenOver:
                break // the keeper marks it, once the session has ended
            }
        } catch {
            logger.warning("bot \(botID): cannot record the connection state: \(error)")
        }
    }
}

/// The intake of long-connection callbacks: the same store path and rules as the callback mode.
public protocol FrameIntake: Sendable {
    /// Accepts an `aibot_msg_callback` body; true when it queued a new job (not a redelivery).
    func acceptMessage(botID: String, reqID: String, body: JSONValue, store: any BotStore, now: Int64) throws -> Bool
    /// Handles an `aibot_event_callback` body (feedback and card events stored); returns the
    /// welcome text for `enter_chat`, nil for no reply.
    func handleEvent(botID: String, body: JSONValue, store: any BotStore, now: Int64) throws -> String?
}
