import BotStore
import StrictBase64
import WeComModel

/// Turns a stored stream snapshot into the `stream` reply WeCom renders: content cut at
/// 20480 bytes on a UTF-8 boundary, images only on the final frame.
enum StreamFrame {
    static func reply(for snapshot: StreamSnapshot) -> Reply {
        let images = snapshot.finished
            ? snapshot.images.prefix(10).map { ReplyImage(base64: Base64.encode($0.data), md5: $0.md5) }
            : []
        return .stream(StreamReply(id: snapshot.id, finish: snapshot.finished,
                                   content: StreamContent.truncated(snapshot.content),
                                   images: Array(images), feedbackID: nil))
    }
}
