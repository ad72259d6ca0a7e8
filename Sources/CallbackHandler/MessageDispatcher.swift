import BotConfig
import BotStore
import WeComCrypto
import WeComModel

/// Dispatches a decrypted callback on its msgtype and decides the passive reply.
struct MessageDispatcher {
    struct Outcome {
        var reply: Reply
        var streamID: String?
        var queuedJob: Bool = false
    }

    /// Shown when WeCom polls a stream this service does not know (expired, purged, or
    /// from before a database reset), so that WeCom stops polling at once.
    static let unknownStreamNotice = "这条消息已过期或不存在，请重新发送。"

    let configuration: Configuration
    let store: BotStore
    let resolver: BotResolver
    let now: () -> Int64
    /// Process-wide, so ids stay ordered whichever serving thread makes them.
    let streamIDs = StreamIDGenerator.shared

    func dispatch(_ message: InboundMessage, raw: [UInt8], bot: BotResolver.Bot) throws -> Outcome {
        switch message.content {
        case .text, .image, .mixed, .voice, .file, .video:
            return try accept(message, raw: raw, bot: bot)
        case let .streamRefresh(id):
            return try refresh(streamID: id)
        case let .event(event):
            return try handleEvent(event, message: message, bot: bot)
        case .unknown:
            return Outcome(reply: .empty, streamID: nil)
        }
    }

    private func accept(_ message: InboundMessage, raw: [UInt8], bot: BotResolver.Bot) throws -> Outcome {
        guard !message.msgID.isEmpty else { throw Rejection.badRequest("message without msgid") }
        let agentRef = try resolver.agentReference(aibotID: message.aibotID, bot: bot)
        let inGroup = message.chatType == .group
        // The @name matters only in groups; direct messages skip the agents-table read.
        let name = inGroup ? resolver.botName(bot: bot, agent: try resolver.agentRecord(agentRef)) : nil
        let text = Self.userText(of: message.content, botName: name, inGroup: inGroup)
        let new = NewMessage(
            botID: bot.id, aibotID: message.aibotID, msgID: message.msgID, msgType: message.msgType,
            chatID: message.chatID, chatType: message.chatType.map(Self.chatTypeName), userID: message.from.userID,
            agent: agentRef, proposedStreamID: streamIDs.next(),
            initialContent: configuration.thinkingText, responseURL: message.responseURL,
            payload: JobPayload.encode(message: raw, text: text), maxAttempts: configuration.jobMaxAttempts)
        let accepted = try store.acceptMessage(new, now: now())
        return Outcome(reply: StreamFrame.reply(for: accepted.stream), streamID: accepted.stream.id,
                       queuedJob: accepted.isNew)
    }

    private func refresh(streamID: String) throws -> Outcome {
        guard let snapshot = try store.stream(id: streamID) else {
            let frame = StreamReply(id: streamID, finish: true, content: Self.unknownStreamNotice, images: [], feedbackID: nil)
            return Outcome(reply: .stream(frame), streamID: streamID)
        }
        return Outcome(reply: StreamFrame.reply(for: snapshot), streamID: streamID)
    }

    private func handleEvent(_ event: Event, message: InboundMessage, bot: BotResolver.Bot) throws -> Outcome {
        switch event {
        case .enterChat:
            let agent = try resolver.agentRecord(try resolver.agentReference(aibotID: message.aibotID, bot: bot))
            guard let welcome = resolver.welcomeText(agent: agent), !welcome.isEmpty else {
                return Outcome(reply: .empty, streamID: nil)
            }
            return Outcome(reply: .text(welcome), streamID: nil)
        case let .feedback(feedback):
            try store.recordEvent(StoredEvent(
                kind: .feedback, botID: bot.id, aibotID: message.aibotID, msgID: message.msgID,
                userID: message.from.userID, reference: feedback.id, rating: feedback.type,
                detail: feedback.content, payload: String(decoding: feedback.raw.jsonBytes(), as: UTF8.self)), now: now())
            return Outcome(reply: .empty, streamID: nil)
        case let .templateCard(card):
            try store.recordEvent(StoredEvent(
                kind: .templateCard, botID: bot.id, aibotID: message.aibotID, msgID: message.msgID,
                userID: message.from.userID, reference: card.taskID, rating: nil,
                detail: card.eventKey, payload: String(decoding: card.raw.jsonBytes(), as: UTF8.self)), now: now())
            return Outcome(reply: .empty, streamID: nil)
        case .unknown:
            return Outcome(reply: .empty, streamID: nil)
        }
    }

    /// The text the agent should see: group text loses the bot's @name wherever it stands.
    static func userText(of content: MessageContent, botName: String?, inGroup: Bool) -> String? {
        let clean: (String) -> String = { inGroup ? Mention.strip(botName: botName, from: $0) : $0 }
        switch content {
        case let .text(text): return clean(text)
        case let .voice(text): return text
        case let .mixed(items):
            let texts = items.compactMap { item -> String? in
                if case let .text(t) = item { return clean(t) } else { return nil }
            }.filter { !$0.isEmpty }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        default: return nil
        }
    }

    static func chatTypeName(_ type: ChatType) -> String {
        switch type {
        case .single: return "single"
        case .group: return "group"
        case let .other(name): return name
        }
    }
}
