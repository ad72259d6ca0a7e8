import BotStore
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
    /// Waits between tries at storing a callback.
    let clock: any Clock<Duration>

    func session(_ session: BotSession, received frame: Frame) async {
        let botID = botID, intake = intake
        var outcome: FrameOutcome?
        for attempt in 1...Self.attempts {
            do {
                outcome = try await lane.run { _ in try intake.take(frame, botID: botID) }
                break
            } catch let StoreError.unavailable(cause) {
                // The frame cannot be asked for again, unlike a callback answered with 503; the
                // msgid dedupe makes another try harmless.
                guard attempt < Self.attempts else {
                    logger.error("bot \(botID): \(frame) lost: store unavailable \(attempt) times: \(cause)")
                    return
                }
                logger.warning("bot \(botID): \(frame) not stored yet (store unavailable: \(cause)); trying again")
                try? await clock.sleep(for: .seconds(attempt))
            } catch {
                logger.warning("bot \(botID): \(frame) ignored: \(error)")
                return
            }
        }
        switch outcome {
        case .queued?:
            lane.notifyWorkers()
        case let .welcome(text)?:
            do {
                let ack = try await session.send(.welcomeText(reqID: frame.reqID, content: text))
                if !ack.isSuccess { logger.warning("bot \(botID): welcome refused: \(ack)") }
            } catch {
                logger.warning("bot \(botID): welcome not sent: \(error)")
            }
        case .nothing?, nil:
            break
        }
    }

    /// Tries at storing one callback while the store is unavailable, a second more apart each time.
    static let attempts = 4

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
/// Called on the store lane only (it uses the lane's connection).
public protocol FrameIntake: Sendable {
    /// Takes an `aibot_msg_callback` or `aibot_event_callback` frame of the bot.
    func take(_ frame: Frame, botID: String) throws -> FrameOutcome
}

/// What the pusher's side does after the intake took a frame.
public enum FrameOutcome: Sendable, Equatable {
    /// A new job was queued: wake the workers.
    case queued
    /// `enter_chat` with its welcome text, to send within 5 s.
    case welcome(String)
    /// A redelivery, a stored event, or nothing to answer.
    case nothing
}
