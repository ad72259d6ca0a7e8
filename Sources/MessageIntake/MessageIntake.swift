import BotConfig
import BotStore
import WeComModel

/// What both modes do with an inbound message or event, whether it came as a decrypted
/// callback (`wecom-fcgi`) or as a long-connection frame (`wecom-ws`): a user message is
/// accepted into the store (msgid dedupe, one stream, one job for its agent, the @name taken
/// out of group text), feedback and template-card events are stored, and `enter_chat` gets its
/// welcome text. How the answer then reaches WeCom is the caller's part.
///
/// Holds the caller's store connection: one instance per connection, used from one thread at a
/// time. Cheap to make.
public final class MessageIntake {
    let configuration: Configuration
    let store: BotStore
    let rows: BotRows
    let now: () -> Int64
    /// Process-wide, so ids stay ordered whichever thread or connection makes them.
    private let streamIDs = StreamIDGenerator.shared

    /// - Parameters:
    ///   - rows: the bots rows as this connection reads them (shared with a caller that reads
    ///     rows too, so that both see one cache).
    ///   - now: unix seconds.
    public init(configuration: Configuration, store: BotStore, rows: BotRows, now: @escaping () -> Int64) {
        self.configuration = configuration
        self.store = store
        self.rows = rows
        self.now = now
    }

    public convenience init(configuration: Configuration, store: BotStore, now: @escaping () -> Int64) {
        self.init(configuration: configuration, store: store, rows: BotRows(store: store, now: now), now: now)
    }

    /// Takes one decoded message or event.
    ///
    /// - Parameters:
    ///   - raw: the message's JSON as received; the job payload carries it to the worker.
    ///   - reqID: the `req_id` of the long-connection frame that brought it; nil for a callback.
    ///     The stream's replies must carry it, and its late or long answer is not posted to the
    ///     message's `response_url`: `wecom-ws` sends it over the connection instead.
    /// - Throws: ``IntakeError/missingMsgID`` for a user message without msgid, or the store's error.
    public func take(_ message: InboundMessage, raw: [UInt8], bot: IntakeBot, reqID: String? = nil) throws -> IntakeOutcome {
        switch message.content {
        case .text, .image, .mixed, .voice, .file, .video:
            return .accepted(try accept(message, raw: raw, bot: bot, reqID: reqID))
        case let .streamRefresh(id):
            return .streamRefresh(id: id)
        case let .event(event):
            return try take(event, of: message, bot: bot)
        case .unknown:
            return .noReply
        }
    }

    private func accept(_ message: InboundMessage, raw: [UInt8], bot: IntakeBot, reqID: String?) throws -> AcceptedMessage {
        guard !message.msgID.isEmpty else { throw IntakeError.missingMsgID }
        let agentRef = try agentReference(aibotID: message.aibotID, bot: bot)
        let inGroup = message.chatType == .group
        // The @name matters only in groups; direct messages skip the agents-table read.
        let name = inGroup ? botName(bot: bot, agent: try agentRecord(agentRef)) : nil
        let text = Self.userText(of: message.content, botName: name, inGroup: inGroup)
        let new = NewMessage(
            botID: bot.id, aibotID: message.aibotID, msgID: message.msgID, msgType: message.msgType,
            chatID: message.chatID, chatType: message.chatType.map(Self.chatTypeName), userID: message.from.userID,
            agent: agentRef, proposedStreamID: streamIDs.next(),
            initialContent: configuration.thinkingText, responseURL: reqID == nil ? message.responseURL : nil,
            payload: JobPayload.encode(message: raw, text: text, longConnection: reqID != nil), maxAttempts: configuration.jobMaxAttempts,
            reqID: reqID)
        return try store.acceptMessage(new, now: now())
    }

    private func take(_ event: Event, of message: InboundMessage, bot: IntakeBot) throws -> IntakeOutcome {
        switch event {
        case .enterChat:
            let agent = try agentRecord(try agentReference(aibotID: message.aibotID, bot: bot))
            guard let welcome = agent?.welcomeText ?? configuration.welcomeText, !welcome.isEmpty else { return .noReply }
            return .welcome(welcome)
        case let .feedback(feedback):
            let isNew = try store.recordEvent(StoredEvent(
                kind: .feedback, botID: bot.id, aibotID: message.aibotID, msgID: message.msgID,
                userID: message.from.userID, reference: feedback.id, rating: feedback.type,
                detail: feedback.content, payload: String(decoding: feedback.raw.jsonBytes(), as: UTF8.self)), now: now())
            return .eventRecorded(isNew: isNew)
        case let .templateCard(card):
            let isNew = try store.recordEvent(StoredEvent(
                kind: .templateCard, botID: bot.id, aibotID: message.aibotID, msgID: message.msgID,
                userID: message.from.userID, reference: card.taskID, rating: nil,
                detail: card.eventKey, payload: String(decoding: card.raw.jsonBytes(), as: UTF8.self)), now: now())
            return .eventRecorded(isNew: isNew)
        case .unknown:
            return .noReply
        }
    }

    /// The agent (id or name) for a message: the bots row of its aibotid, the bot's own row,
    /// `WECOM_AIBOT_AGENT_MAPPING`, else nil for the default agent.
    private func agentReference(aibotID: String, bot: IntakeBot) throws -> String? {
        if !aibotID.isEmpty, aibotID != bot.id, let row = try rows.row(id: aibotID), let agent = row.agent {
            return agent
        }
        if let agent = bot.record?.agent { return agent }
        return configuration.agentMapping[aibotID]
    }

    /// The agent's stored record, when the reference names one.
    private func agentRecord(_ reference: String?) throws -> AgentRecord? {
        guard let reference else { return nil }
        return try store.agent(idOrName: reference)
    }

    /// The @name users type for this bot in groups.
    private func botName(bot: IntakeBot, agent: AgentRecord?) -> String? {
        bot.record?.botName ?? agent?.botName ?? configuration.botName
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

@available(*, unavailable) extension MessageIntake: Sendable {}
