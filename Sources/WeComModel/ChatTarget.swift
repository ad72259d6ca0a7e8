/// Whom a message the bot sends on its own goes to (`aibot_send_msg`'s `chatid` and
/// `chat_type`): the userid for a direct chat, the chatid for a group.
public enum ChatTarget: Sendable, Hashable {
    /// A direct chat with this userid (`chat_type` 1).
    case user(String)
    /// A group chat with this chatid (`chat_type` 2).
    case group(String)

    /// Reads a stored `chat_type` and `chatid`; nil for another chat type.
    public init?(chatType: Int, chatID: String) {
        switch chatType {
        case 1: self = .user(chatID)
        case 2: self = .group(chatID)
        default: return nil
        }
    }

    public var chatType: Int {
        switch self {
        case .user: 1
        case .group: 2
        }
    }

    public var chatID: String {
        switch self {
        case let .user(id), let .group(id): id
        }
    }
}
