/// What the errcodes WeCom answers long-connection requests with mean (docs/wecom-protocol.md
/// §8.5), in a few words for an operator: `wecomctl send` prints them with the code.
public enum LongConnectionErrcode {
    public static let invalidCredentials = 853000
    public static let invalidRequestID = 846605
    public static let alreadyAnswered = 846606
    public static let rateLimited = 846607
    public static let streamExpired = 846608
    public static let invalidChatID = 93006

    /// The meaning of `errcode`; nil for a code not documented.
    public static func meaning(_ errcode: Int) -> String? {
        switch errcode {
        case invalidCredentials: "invalid BotID or long-connection secret"
        case invalidRequestID: "invalid req_id"
        case alreadyAnswered: "already answered"
        case rateLimited: "rate limited: at most 30 messages a minute and 1000 an hour per conversation"
        case streamExpired: "stream update expired: more than 6 minutes after its first frame"
        case invalidChatID: "invalid chatid: a direct chat takes the userid, a group its chatid without a prefix"
        default: nil
        }
    }
}
