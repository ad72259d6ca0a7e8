import BotStore
import Testing
import WeComModel
@testable import WorkerCore

@Suite struct RetryPolicyTests {
    @Test func delaysDoubleAndAreCapped() {
        let p = RetryPolicy(base: 2, cap: 60)
        #expect(p.delay(afterAttempt: 1, jitter: 0) == 1)
        #expect(p.delay(afterAttempt: 1, jitter: 1) == 2)
        #expect(p.delay(afterAttempt: 2, jitter: 1) == 4)
        #expect(p.delay(afterAttempt: 3, jitter: 0.5) == 6)
        #expect(p.delay(afterAttempt: 10, jitter: 1) == 60)
        #expect(p.delay(afterAttempt: 99, jitter: 0) == 30)
    }

    @Test func retriesOnlyTransientFailuresBeforeAnyAnswer() {
        let p = RetryPolicy()
        #expect(p.shouldRetry(transient: true, answerStarted: false, attempts: 1, maxAttempts: 3))
        #expect(!p.shouldRetry(transient: true, answerStarted: false, attempts: 3, maxAttempts: 3))
        #expect(!p.shouldRetry(transient: true, answerStarted: true, attempts: 1, maxAttempts: 3))
        #expect(!p.shouldRetry(transient: false, answerStarted: false, attempts: 1, maxAttempts: 3))
    }
}

@Suite struct StreamDeadlineTests {
    @Test func closesAtMessageTimePlusDeadline() {
        let d = StreamDeadline(messageAt: 1000, deadline: 330)
        #expect(!d.hasPassed(now: 1329.9))
        #expect(d.hasPassed(now: 1330))
        #expect(d.remaining(now: 1300) == 30)
        #expect(d.remaining(now: 2000) == 0)
    }
}

@Suite struct MarkdownImagesTests {
    @Test func findsCompleteImagesOnly() {
        let text = "看图 ![猫](https://a.example/cat.png) 和 ![](/files/tools/x.png?sign=1 \"t\") 还有 ![未完](http://half"
        let found = MarkdownImages.find(in: text)
        #expect(found.map(\.url) == ["https://a.example/cat.png", "/files/tools/x.png?sign=1"])
        #expect(found.map(\.alt) == ["猫", ""])
    }

    /// The byte scan for `![`: a lone `!`, a `[` without one, a doubled `!!`, and text with no
    /// image at all (returned as it is).
    @Test func findsMarkersAmongOtherBangsAndBrackets() {
        let text = "好！! [不是] !!![图](https://a/x.png)!"
        #expect(MarkdownImages.find(in: text).map(\.source) == ["![图](https://a/x.png)"])
        let plain = "没有图片！[链接](https://a) 结束!"
        #expect(MarkdownImages.find(in: plain).isEmpty)
        #expect(MarkdownImages.displayText(plain, fetched: []) == plain)
    }

    @Test func displayTextKeepsTheLinkTextReadable() {
        let text = "A ![猫](https://a/cat.png) B ![狗](https://a/dog.png)"
        #expect(MarkdownImages.displayText(text, fetched: ["https://a/cat.png"]) == "A 【图片：猫】 B [狗](https://a/dog.png)")
    }

    @Test func resolvesRelativeURLsAgainstTheDifyOrigin() {
        #expect(MarkdownImages.resolve("/files/tools/x.png", difyBaseURL: "http://dify.local:8080/v1") == "http://dify.local:8080/files/tools/x.png")
        #expect(MarkdownImages.resolve("https://cdn/x.png", difyBaseURL: "http://d/v1") == "https://cdn/x.png")
        #expect(MarkdownImages.resolve("relative.png", difyBaseURL: "http://d/v1") == nil)
    }
}

@Suite struct MediaKindTests {
    @Test func sniffsMagicBytes() {
        #expect(MediaKind(sniffing: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(MediaKind(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(MediaKind(sniffing: Array("GIF89a".utf8)) == .gif)
        #expect(MediaKind(sniffing: Array("%PDF-1.7".utf8)) == .pdf)
        #expect(MediaKind(sniffing: Array("纯文本".utf8)) == .text)
        #expect(MediaKind(sniffing: [0, 1, 2, 0xFE]) == .other)
        #expect(MediaKind.png.isReplyImage && !MediaKind.gif.isReplyImage)
    }
}

@Suite struct JobPayloadQueryTests {
    @Test func readsThePayloadTheResponderWrote() throws {
        let payload = #"{"v":1,"text":"你好","message":{"msgid":"m","aibotid":"a","from":{"userid":"u"},"msgtype":"text","text":{"content":"@Bot 你好"},"quote":{"msgtype":"text","text":{"content":"上一条"}}}}"#
        let q = try JobPayload(decoding: payload)
        #expect(q.text == "你好")
        #expect(q.message.msgID == "m")
        #expect(q.query == "> 引用：上一条\n\n你好")
    }

    @Test func mediaOnlyMessagesGetAPromptAndTheirURLs() throws {
        let payload = #"{"v":1,"text":null,"message":{"msgid":"m","aibotid":"a","from":{"userid":"u"},"msgtype":"mixed","mixed":{"msg_item":[{"msgtype":"image","image":{"url":"http://x/1"}},{"msgtype":"image","image":{"url":"http://x/2"}}]}}}"#
        let q = try JobPayload(decoding: payload)
        #expect(q.mediaURLs == ["http://x/1", "http://x/2"])
        #expect(q.query == "请看这张图片。")
    }

    @Test func resetCommand() {
        #expect(ResetCommand.matches(" /new "))
        #expect(ResetCommand.matches("／RESET"))
        #expect(!ResetCommand.matches("/new please"))
        #expect(!ResetCommand.matches(nil))
    }

    @Test func difyUserSeparatesGroupsFromDirectChats() {
        #expect(DifyUser.id(userID: "u", chatID: nil) == "wecom:u")
        #expect(DifyUser.id(userID: "u", chatID: "wr1") == "wecom:wr1:u")
    }
}
