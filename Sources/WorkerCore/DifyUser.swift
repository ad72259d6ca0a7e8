/// The `user` Dify sees: stable per WeCom user, and per group for group chats, so a user's
/// direct-chat and group contexts stay apart (uploads use the same value).
public enum DifyUser {
    public static func id(userID: String, chatID: String?) -> String {
        if let chatID, !chatID.isEmpty { return "wecom:\(chatID):\(userID)" }
        return "wecom:\(userID)"
    }
}
