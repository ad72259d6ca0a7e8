import JSONCore

/// One Dify streaming event, decoded from an SSE event's `data` JSON (docs/dify-api.md §3.3).
///
/// Decoding never fails: unknown events become ``other(_:)`` and undecodable data ``invalid(_:)``,
/// which callers log and skip (a broken event must not end the answer).
public enum DifyEvent: Sendable, Equatable {
    /// An incremental answer chunk of a chat or chatflow app.
    case message(answer: String, conversationID: String?, messageID: String?, taskID: String?)
    /// An incremental answer chunk of an agent app; handled exactly like ``message``.
    case agentMessage(answer: String, conversationID: String?, messageID: String?, taskID: String?)
    /// Output moderation hit: the whole answer so far is replaced by `answer`.
    case messageReplace(answer: String)
    /// A file (in practice an image) attached to the answer; `url` is often relative (docs/dify-api.md §7).
    case messageFile(url: String, type: String?, belongsTo: String?)
    /// The answer is complete.
    case messageEnd(conversationID: String?, messageID: String?)
    /// A chatflow or workflow run started.
    case workflowStarted
    /// A workflow run ended; terminal for workflow apps, followed by `message_end` in chatflows.
    case workflowFinished(status: String, outputs: JSONValue?, error: String?)
    /// A failure after the stream started; terminal (docs/dify-api.md §3.5).
    case error(status: Int, code: String, message: String)
    /// A keep-alive (`event: ping`).
    case ping
    /// Any other event (`agent_thought`, `node_started`, `tts_message`, …), by name.
    case other(String)
    /// Data that is not a JSON object with an `event` name; the reason is safe to log.
    case invalid(String)

    /// Decodes `sse`; see ``DifyEvent``.
    public init(_ sse: SSEEvent) {
        self = DecodedDifyEvent(sse).event
    }
}

/// A ``DifyEvent`` plus the ids every chat event carries (docs/dify-api.md §3.2), which the enum cases do not all hold.
struct DecodedDifyEvent: Equatable {
    var event: DifyEvent
    var conversationID: String?
    var messageID: String?
    var taskID: String?

    init(_ sse: SSEEvent) {
        var trimmed = Self.trimmed(sse.data)
        if trimmed.isEmpty {
            let name = sse.event ?? "message"
            event = name == "ping" ? .ping : .other(name)
            return
        }
        let json = trimmed.withUTF8 { try? JSONReader.parse($0, depthLimit: DifyJSON.depthLimit) }
        guard case let .object(payload)? = json else {
            event = .invalid("data is not a JSON object (\(sse.data.utf8.count) bytes)")
            return
        }
        // Every field is read leniently: one of an unexpected type (Dify adds and changes fields
        // across versions) counts as absent.
        let text = { (key: String) in payload[key]?.stringValue }
        conversationID = text("conversation_id").nonEmpty
        messageID = (text("message_id") ?? text("id")).nonEmpty
        taskID = text("task_id").nonEmpty
        guard let name = text("event") ?? sse.event else {
            event = .invalid("JSON data has no event name")
            return
        }
        switch name {
        case "message":
            event = .message(
                answer: text("answer") ?? "", conversationID: conversationID, messageID: messageID, taskID: taskID)
        case "agent_message":
            event = .agentMessage(
                answer: text("answer") ?? "", conversationID: conversationID, messageID: messageID, taskID: taskID)
        case "message_replace":
            event = .messageReplace(answer: text("answer") ?? "")
        case "message_file":
            guard let url = text("url").nonEmpty else {
                event = .invalid("message_file without url")
                return
            }
            event = .messageFile(url: url, type: text("type"), belongsTo: text("belongs_to"))
        case "message_end":
            event = .messageEnd(conversationID: conversationID, messageID: messageID)
        case "workflow_started":
            event = .workflowStarted
        case "workflow_finished":
            let data = payload["data"]?.objectValue
            var outputs = data?["outputs"]
            // A null `outputs` is absent; `.none`, since a nil literal could become JSONValue.null.
            if outputs == .null { outputs = .none }
            event = .workflowFinished(status: data?["status"]?.stringValue ?? "", outputs: outputs,
                                      error: data?["error"]?.stringValue.nonEmpty)
        case "error":
            event = .error(status: payload["status"]?.intValue ?? 500, code: text("code") ?? "unknown",
                           message: text("message") ?? "")
        case "ping":
            event = .ping
        default:
            event = .other(name)
        }
    }

    /// `data` without leading and trailing spaces and tabs (Unicode category Zs and U+0009).
    static func trimmed(_ data: String) -> Substring {
        let scalars = data.unicodeScalars
        let isSpace = { (scalar: Unicode.Scalar) in scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return data[first...last]
    }
}

extension Optional where Wrapped == String {
    /// nil for nil and "".
    var nonEmpty: String? {
        if let self, !self.isEmpty { self } else { nil }
    }
}

extension DifyEvent {
    /// The conversation id the event carries, if its case holds one.
    public var conversationID: String? {
        switch self {
        case let .message(_, id, _, _), let .agentMessage(_, id, _, _), let .messageEnd(id, _): return id
        default: return nil
        }
    }
}
