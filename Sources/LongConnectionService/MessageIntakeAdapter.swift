import BotStore
import LongConnection
import MessageIntake

/// ``FrameIntake`` on the shared ``MessageIntake``, over the store lane's connection.
public final class MessageIntakeAdapter: FrameIntake, @unchecked Sendable {
    // @unchecked: `intake` holds the lane's connection and is not thread-safe; ``FrameIntake``
    // is called only from blocks on the lane's serial queue, one at a time.
    private let intake: MessageIntake

    /// `intake` must use the connection the lane was made with.
    public init(_ intake: MessageIntake) {
        self.intake = intake
    }

    public func take(_ frame: Frame, botID: String) throws -> FrameOutcome {
        guard let bot = try intake.longConnectionBot(id: botID) else {
            throw StoreError.notFound("no long-connection bot \(botID)")
        }
        switch try intake.takeLongConnectionCallback(body: frame.body, reqID: frame.reqID, bot: bot) {
        case let .accepted(accepted): return accepted.isNew ? .queued : .nothing
        case let .welcome(text): return .welcome(text)
        case .eventRecorded, .streamRefresh, .noReply: return .nothing
        }
    }
}
