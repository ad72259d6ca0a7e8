import Foundation
import BotStore
import LongConnection
import WeComModel

/// Decides how a long-connection stream reaches the user (docs/wecom-protocol.md §8.3): stream
/// frames carrying the whole answer so far while it grows, a final frame, and what a frame cannot
/// carry by `aibot_send_msg` afterwards: the part past 20480 bytes, the images (frames cannot
/// carry them in this mode), and, when the 6-minute window closed first, the whole answer.
///
/// A pure function of the stream as read and the time, so that a standby taking a bot over goes
/// on from the recorded push state, and every branch is tested without a connection.
struct StreamRelay: Sendable {
    /// Seconds from the first frame after which the stream is ended with a notice
    /// (`WECOM_STREAM_DEADLINE`, inside WeCom's 6 minutes).
    var deadline: Double
    var maxBytes: Int = StreamContent.maxBytes

    func next(for stream: LongConnectionStream, now: Int64) -> RelayStep {
        switch stream.push.phase {
        case .streaming: streaming(stream, now: now)
        case .ended: followUp(stream)
        case .delivered: .wait
        }
    }

    /// WeCom refused a stream frame as expired (846608), or refused it otherwise: the frames are
    /// over, and once the answer is finished all of it goes by `aibot_send_msg`.
    func framesRefused(_ stream: LongConnectionStream) -> PushUpdate {
        var update = PushUpdate(keeping: stream.push)
        update.phase = .ended
        update.fallback = true
        update.followUpsSent = 0
        return update
    }

    private func streaming(_ stream: LongConnectionStream, now: Int64) -> RelayStep {
        if let first = stream.push.firstFrameAt, Double(now - first) >= deadline {
            // The window is closing: end the stream with what the user has so far and say the
            // rest follows; the whole answer goes as messages once it is finished.
            let notice = UserNotice.interrupted(partial: shown(stream.content), notice: UserNotice.stillWorking)
            var update = PushUpdate(keeping: stream.push)
            update.frameSent = true
            update.pushed = stream.version
            update.phase = .ended
            update.fallback = true
            update.followUpsSent = 0
            return .frame(content: StreamContent.truncated(notice, maxBytes: maxBytes), finish: true, then: update)
        }
        var update = PushUpdate(keeping: stream.push)
        update.frameSent = true
        update.pushed = stream.version
        if stream.finished {
            let rest = StreamContent.split(stream.content, maxBytes: maxBytes).rest
            update.phase = rest.isEmpty && stream.imageCount == 0 ? .delivered : .ended
            update.fallback = false
            update.followUpsSent = 0
            return .frame(content: head(stream.content), finish: true, then: update)
        }
        guard stream.changedSincePush || stream.push.firstFrameAt == nil else { return .wait }
        return .frame(content: head(stream.content), finish: false, then: update)
    }

    private func followUp(_ stream: LongConnectionStream) -> RelayStep {
        guard stream.finished else { return .wait }
        let text = stream.push.fallback ? stream.content : StreamContent.split(stream.content, maxBytes: maxBytes).rest
        let parts = Self.parts(of: text, maxBytes: maxBytes)
        let total = parts.count + stream.imageCount
        let index = stream.push.followUpsSent
        var update = PushUpdate(keeping: stream.push)
        update.followUpsSent = index + 1
        update.phase = index + 1 >= total ? .delivered : .ended
        if index >= total {
            update.followUpsSent = index
            update.phase = .delivered
            return .record(update)
        }
        if index < parts.count { return .sendText(parts[index], then: update) }
        return .sendImage(index: index - parts.count, then: update)
    }

    private func head(_ content: String) -> String {
        StreamContent.split(content, maxBytes: maxBytes).head
    }

    /// The answer as the user has seen it in frames: an empty one shows nothing to keep.
    private func shown(_ content: String) -> String {
        content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "" : head(content)
    }

    /// `text` in pieces of at most `maxBytes` UTF-8 bytes, cut as ``AnswerSplitter`` cuts;
    /// none for blank text (nothing to send).
    static func parts(of text: String, maxBytes: Int) -> [String] {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        return AnswerSplitter.split(text, maxBytes: maxBytes)
    }
}
