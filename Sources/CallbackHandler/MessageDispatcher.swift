import BotStore
import MessageIntake
import WeComModel

/// Hands a decrypted callback to the intake and decides the passive reply: the stream frame of
/// an accepted message or a refresh poll, the welcome text, or the empty reply.
struct MessageDispatcher {
    struct Outcome {
        var reply: Reply
        var streamID: String?
        var queuedJob: Bool = false
    }

    /// Shown when WeCom polls a stream this service does not know (expired, purged, or
    /// from before a database reset), so that WeCom stops polling at once.
    static let unknownStreamNotice = "这条消息已过期或不存在，请重新发送。"

    let store: BotStore
    let intake: MessageIntake

    func dispatch(_ message: InboundMessage, raw: [UInt8], bot: BotResolver.Bot) throws -> Outcome {
        let taken: IntakeOutcome
        do {
            taken = try intake.take(message, raw: raw, bot: bot.intakeBot)
        } catch IntakeError.missingMsgID {
            throw Rejection.badRequest("\(IntakeError.missingMsgID)")
        }
        switch taken {
        case let .accepted(accepted):
            return Outcome(reply: StreamFrame.reply(for: accepted.stream), streamID: accepted.stream.id, queuedJob: accepted.isNew)
        case let .streamRefresh(id):
            return try refresh(streamID: id)
        case let .welcome(text):
            return Outcome(reply: .text(text), streamID: nil)
        case .eventRecorded, .noReply:
            return Outcome(reply: .empty, streamID: nil)
        }
    }

    private func refresh(streamID: String) throws -> Outcome {
        guard let snapshot = try store.stream(id: streamID) else {
            let frame = StreamReply(id: streamID, finish: true, content: Self.unknownStreamNotice, images: [], feedbackID: nil)
            return Outcome(reply: .stream(frame), streamID: streamID)
        }
        return Outcome(reply: StreamFrame.reply(for: snapshot), streamID: streamID)
    }
}
