/// What the user reads instead of silence when something goes wrong. Short, in Chinese
/// like the rest of the chat, and never with internal detail such as keys or URLs.
public enum UserNotice {
    public static let newConversation = "已开始新的对话，之前的上下文不再使用。"
    public static let noAgent = "抱歉，这个机器人还没有配置 AI 应用，请联系管理员。"
    public static let difyUnreachable = "抱歉，暂时无法连接 AI 服务，请稍后再试。"
    public static let difyIdle = "抱歉，AI 服务长时间没有响应，请稍后再试。"
    public static let difyTooLong = "抱歉，AI 回答超时，请稍后再试。"
    public static let difyTruncated = "抱歉，AI 服务的回答中断了，请稍后再试。"
    public static let mediaFailed = "抱歉，收到的图片或文件下载失败，请重新发送。"
    public static let unsupportedMedia = "抱歉，暂不支持这种消息类型，请发送文字、图片或 PDF/文本文件。"
    public static let jobFailed = "抱歉，这条消息处理失败了，请稍后重试。"
    public static let stillWorking = "回答仍在生成中，完成后会另外发送给你。"
    public static let emptyAnswer = "（AI 没有返回内容）"
    public static let emptyQuestion = "请在 @我 之后写下你的问题。"

    public static func difyError(code: String) -> String {
        "抱歉，AI 服务出错了（\(code.prefix(64))），请稍后再试。"
    }

    public static func difyHTTP(status: Int) -> String {
        "抱歉，AI 服务暂时不可用（HTTP \(status)），请稍后再试。"
    }

    /// An answer that broke off after some text: keep the text, say it stopped.
    public static func interrupted(partial: String, notice: String) -> String {
        partial.isEmpty ? notice : partial + "\n\n⚠️ " + notice
    }
}
