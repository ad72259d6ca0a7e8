import WeComModel

/// What WeCom sends one bot, shaped after real callbacks: opaque msgids of 32 hex digits, a few
/// thousand users of whom some write far more than others, a quarter of the messages in group
/// chats (`wr…` chat ids, the bot @-mentioned), mostly text with some images and voice, from a
/// few words to a pasted paragraph. Everything is drawn from one seeded generator.
struct Workload {
    /// `/wecom/callback/<botid>` of the benchmark's bot.
    static let botID = "bench"
    static let aibotID = "aibQ3mV8kZ1xT0nR7yW2bH5cJ9dFgL"
    static let hex = Array("0123456789abcdef".utf8)
    static let alphanumerics = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// One callback as WeCom sends it, and what the service derives from it.
    struct Message {
        var msgID: String
        var userID: String
        var chatID: String?
        var msgType: String
        var responseURL: String
        /// The decrypted callback body.
        var json: String
        /// What the service hands the agent (the job payload's `text`): nil for an image.
        var userText: String?
        var chatType: String { chatID == nil ? "single" : "group" }
    }

    var random: SeededRandom
    let users: [String]
    /// Group chat ids and the users in each.
    let groups: [(id: String, members: [Int])]

    init(seed: UInt64, users userCount: Int = 3000, groups groupCount: Int = 300) {
        random = SeededRandom(seed: seed)
        var names = Set<String>()
        var users: [String] = []
        while users.count < userCount {
            let name = Self.surnames.randomElement(using: &random)! + Self.givenNames.randomElement(using: &random)!
                + (random.chance(0.3) ? String(random.next() % 90 + 10) : "")
            if names.insert(name).inserted { users.append(name) }
        }
        self.users = users
        var groups: [(id: String, members: [Int])] = []
        var generator = random
        for _ in 0..<groupCount {
            let id = "wr" + generator.string(30, from: Self.alphanumerics)
            let size = Int(generator.next() % 38) + 3
            groups.append((id, (0..<size).map { _ in Int(generator.next() % UInt64(userCount)) }))
        }
        random = generator
        self.groups = groups
    }

    /// A WeCom msgid: opaque, 32 hex digits in real captures.
    mutating func msgID() -> String { random.string(32, from: Self.hex) }

    /// A stream id shaped like the service's: `s`, the creation time in microseconds as 10 base-62
    /// digits (so ids sort in creation order), 13 random alphanumerics.
    mutating func streamID(microseconds: Int64) -> String {
        var digits = [UInt8](repeating: 0, count: 10)
        var rest = microseconds
        for index in digits.indices.reversed() {
            digits[index] = Self.alphanumerics[Int(rest % 62)]
            rest /= 62
        }
        return "s" + String(decoding: digits, as: UTF8.self) + random.string(13, from: Self.alphanumerics)
    }

    /// The next message: who writes (a few users write most), where, and what.
    mutating func message() -> Message {
        let msgID = msgID()
        var chatID: String?
        let user: Int
        if random.chance(0.25) {
            let group = groups[skewed(groups.count)]
            chatID = group.id
            user = group.members[Int(random.next() % UInt64(group.members.count))]
        } else {
            user = skewed(users.count)
        }
        let responseURL = "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code="
            + random.string(64, from: Self.alphanumerics)
        let kind = random.next() % 100
        let msgType: String, body: String, userText: String?
        if kind < 90 {
            let text = (chatID == nil ? "" : "@智能助手 ") + question()
            msgType = "text"
            body = #""text":{"content":\#(Self.quoted(text))}"#
            // With no bot name configured the service only trims group text.
            userText = chatID == nil ? text : Mention.strip(botName: nil, from: text)
        } else if kind < 96 {
            msgType = "image"
            body = #""image":{"url":"https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/BHoPdA3/"#
                + String(random.next() % 9_000_000_000_000_000_000) + "?sign=" + random.string(120, from: Self.alphanumerics) + #""}"#
            userText = nil
        } else {
            let text = question()
            msgType = "voice"
            body = #""voice":{"content":\#(Self.quoted(text))}"#
            userText = text
        }
        let chat = chatID.map { #""chatid":"\#($0)","chattype":"group""# } ?? #""chattype":"single""#
        let json = #"{"msgid":"\#(msgID)","aibotid":"\#(Self.aibotID)",\#(chat),"from":{"userid":"\#(users[user])"},"#
            + #""response_url":"\#(responseURL)","msgtype":"\#(msgType)",\#(body)}"#
        return Message(msgID: msgID, userID: users[user], chatID: chatID, msgType: msgType, responseURL: responseURL,
                       json: json, userText: userText)
    }

    /// WeCom's poll of a stream it was given in the first reply; each poll has a msgid of its own.
    mutating func refresh(streamID: String, userID: String, chatID: String?) -> String {
        let chat = chatID.map { #""chatid":"\#($0)","chattype":"group""# } ?? #""chattype":"single""#
        return #"{"msgid":"\#(msgID())","aibotid":"\#(Self.aibotID)",\#(chat),"from":{"userid":"\#(userID)"},"#
            + #""msgtype":"stream","stream":{"id":"\#(streamID)"}}"#
    }

    /// A question of a few words, now and then a pasted paragraph.
    mutating func question() -> String {
        var text = Self.openers.randomElement(using: &random)! + Self.topics.randomElement(using: &random)!
        if random.chance(0.05) {
            text += "：" + (0..<(2 + Int(random.next() % 12))).map { _ in Self.sentences.randomElement(using: &random)! }.joined()
        }
        return text + Self.endings.randomElement(using: &random)!
    }

    /// An agent's answer: one to sixteen sentences, sometimes as a list.
    mutating func answer() -> String {
        let count = 1 + Int(random.next() % 16)
        let list = count > 3 && random.chance(0.4)
        return (0..<count).map { index in
            (list ? "\(index + 1). " : "") + Self.sentences.randomElement(using: &random)!
        }.joined(separator: list ? "\n" : "")
    }

    /// An index below `count`, the low ones far more often (x² of a uniform draw).
    private mutating func skewed(_ count: Int) -> Int {
        let x = Double(random.next() >> 11) / Double(1 << 53)
        return min(count - 1, Int(x * x * Double(count)))
    }

    static func quoted(_ text: String) -> String { String(decoding: JSONValue.string(text).jsonBytes(), as: UTF8.self) }

    static let surnames = ["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma",
                           "zhu", "hu", "guo", "he", "lin", "luo", "gao"]
    static let givenNames = ["wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan", "jie",
                             "tao", "ming", "chao", "xiuying", "xiaoming", "hao", "yu", "lin", "peng", "hui", "bo", "ting",
                             "xin", "kai", "dan", "rui", "jia"]
    static let openers = ["", "请问", "帮我", "麻烦", "我想知道", "你好，", "能不能", "怎么", "有人知道"]
    static let topics = ["报销流程怎么走", "年假还剩几天", "VPN 连不上怎么办", "看一下这份合同的付款条款", "下周的会议室怎么预订",
                         "总结一下这篇文章", "把这段话翻译成英文", "写一封请假邮件", "解释这个报错 connection reset by peer",
                         "出差补贴的标准", "新员工入职要准备什么材料", "打印机显示缺纸但明明有纸", "季度报告的模板在哪里",
                         "写一个 SQL 查询上个月的订单总额", "客户投诉的处理流程", "公积金基数什么时候调整", "把会议纪要整理成要点",
                         "这个接口为什么返回 502", "推荐几本管理方面的书", "明天上海的天气"]
    static let endings = ["", "？", "，谢谢", "，急", "。越详细越好", "吗", "……"]
    static let sentences = ["根据公司现行的制度，这类申请需要先在审批系统里提交，由直属主管审批后再流转到财务部门。",
                            "如果遇到网络问题，可以先检查本机的代理设置，再尝试重新登录客户端。",
                            "下面是整理后的要点，供你参考。", "需要注意的是，发票的抬头必须与公司名称完全一致，否则无法报销。",
                            "这个错误通常表示对端在传输过程中关闭了连接，可能是超时或者服务重启导致的。",
                            "建议把问题拆成几个小步骤，逐一确认每一步的结果。", "以上信息仅供参考，具体以人事部门的最新通知为准。",
                            "你可以在企业微信的工作台里找到对应的应用入口。", "如果还有其他问题，随时告诉我。",
                            "从数据来看，上个季度的增长主要来自新客户，老客户的复购率略有下降。",
                            "The meeting notes have been summarized below; please check the action items.",
                            "第一步，打开设置页面；第二步，选择账户与安全；第三步，按提示完成验证。",
                            "这份合同的付款条款约定分三期支付，首期为签约后十个工作日内支付百分之三十。",
                            "会议室可以通过日历应用预订，最多提前两周，单次不超过四小时。",
                            "请确认附件格式为 PDF 或图片，单个文件不要超过二十兆。"]
}
