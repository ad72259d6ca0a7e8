import Foundation
import WeComModel

/// One Dify streaming event, decoded from an SSE event's `data` JSON (dify-api.md §3.3).
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
    /// A file (in practice an image) attached to the answer; `url` is often relative (§7).
    case messageFile(url: String, type: String?, belongsTo: String?)
    /// The answer is complete.
    case messageEnd(conversationID: String?, messageID: String?)
    /// A chatflow or workflow run started.
    case workflowStarted
    /// A workflow run ended; terminal for workflow apps, followed by `message_end` in chatflows.
    case workflowFinished(status: String, outputs: JSONValue?, error: String?)
    /// A failure after the stream started; terminal (§3.5).
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

/// A ``DifyEvent`` plus the ids every chat event carries (§3.2), which the enum cases do not all hold.
struct DecodedDifyEvent: Equatable {
    var event: DifyEvent
    var conversationID: String?
    var messageID: String?
    var taskID: String?

    init(_ sse: SSEEvent) {
        let trimmed = sse.data.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            let name = sse.event ?? "message"
            event = name == "ping" ? .ping : .other(name)
            return
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(trimmed.utf8)) else {
            event = .invalid("data is not a JSON object (\(sse.data.utf8.count) bytes)")
            return
        }
        conversationID = payload.conversationID.nonEmpty
        messageID = (payload.messageID ?? payload.id).nonEmpty
        taskID = payload.taskID.nonEmpty
        guard let name = payload.event ?? sse.event else {
            event = .invalid("JSON data has no event name")
            return
        }
        switch name {
        case "message":
            event = .message(
                answer: payload.answer ?? "", conversationID: conversationID, messageID: messageID, taskID: taskID)
        case "agent_message":
            event = .agentMessage(
                answer: payload.answer ?? "", conversationID: conversationID, messageID: messageID, taskID: taskID)
        case "message_replace":
            event = .messageReplace(answer: payload.answer ?? "")
        case "message_file":
            guard let url = payload.url.nonEmpty else {
                event = .invalid("message_file without url")
                return
            }
            event = .messageFile(url: url, type: payload.type, belongsTo: payload.belongsTo)
        case "message_end":
            event = .messageEnd(conversationID: conversationID, messageID: messageID)
        case "workflow_started":
            event = .workflowStarted
        case "workflow_finished":
            let data = payload.data
            event = .workflowFinished(status: data?.status ?? "", outputs: data?.outputs, error: data?.error.nonEmpty)
        case "error":
            event = .error(
                status: payload.status ?? 500, code: payload.code ?? "unknown", message: payload.message ?? "")
        case "ping":
            event = .ping
        default:
            event = .other(name)
        }
    }

    /// The fields of all events we read. Every field is optional and decoded leniently, so a field
    /// of an unexpected type (Dify adds and changes fields across versions) is treated as absent.
    private struct Payload: Decodable {
        var event, conversationID, messageID, id, taskID, answer, url, type, belongsTo, code, message: String?
        var status: Int?
        var data: WorkflowData?

        enum CodingKeys: String, CodingKey {
            case event, id, answer, url, type, code, message, status, data
            case conversationID = "conversation_id", messageID = "message_id", taskID = "task_id"
            case belongsTo = "belongs_to"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            event = c.lenient(String.self, .event)
            conversationID = c.lenient(String.self, .conversationID)
            messageID = c.lenient(String.self, .messageID)
            id = c.lenient(String.self, .id)
            taskID = c.lenient(String.self, .taskID)
            answer = c.lenient(String.self, .answer)
            url = c.lenient(String.self, .url)
            type = c.lenient(String.self, .type)
            belongsTo = c.lenient(String.self, .belongsTo)
            code = c.lenient(String.self, .code)
            message = c.lenient(String.self, .message)
            status = c.lenient(Int.self, .status)
            data = c.lenient(WorkflowData.self, .data)
        }
    }

    private struct WorkflowData: Decodable {
        var status, error: String?
        var outputs: JSONValue?

        enum CodingKeys: String, CodingKey { case status, error, outputs }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = c.lenient(String.self, .status)
            error = c.lenient(String.self, .error)
            outputs = c.lenient(JSONValue.self, .outputs)
        }
    }
}

extension KeyedDecodingContainer {
    /// The value for `key`, or nil when it is absent, null or of another type.
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
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
