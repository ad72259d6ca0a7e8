import Foundation

/// How the stand-in answers one `POST /v1/chat-messages`. Chosen per request by the test
/// (`DifyStandIn.setScript`, `enqueue`, `defaultScript`).
///
/// Streams always start with `event: ping` and carry `conversation_id`, `message_id`,
/// `created_at` and `task_id` on every data event, in Dify's field order. Unless a case says
/// otherwise, events are split across 2–3 writes (`DifyStandIn.splitWrites`).
public enum DifyScript: Sendable {
    /// Which app type's events the answer uses.
    public enum AnswerMode: Sendable, Equatable {
        /// Chatbot: `message` events.
        case chat
        /// Agent (`agent-chat`): `agent_thought`, then `agent_message` events.
        case agent
        /// Chatflow (`advanced-chat`): `workflow_started`/`node_started`, `message` events,
        /// `node_finished`/`workflow_finished`, then `message_end`.
        case chatflow
    }

    /// Streams `chunks` as `message` (or `agent_message`) events, a ping now and then, then
    /// `message_end` with usage metadata. `conversationID` replaces the fresh one given to a new
    /// conversation. `splitWrites` false sends each event in one write (so does
    /// `DifyStandIn.splitWrites = false`). `delayMillis` pauses
    /// before every chunk after the first (interrupted by `stop()` or a vanished client).
    case answer(chunks: [String], conversationID: String? = nil, splitWrites: Bool = true,
                delayMillis: Int = 0, mode: AnswerMode = .chat)
    /// Streams `chunks`, then `{"event":"error","status":…,"code":…,"message":…}` and ends the
    /// stream (no `message_end`).
    case answerThenError(chunks: [String], code: String, message: String, status: Int)
    /// Answers with this HTTP status and body instead of a stream (e.g. 500 JSON, 502 HTML).
    case httpError(status: Int, body: String, contentType: String = "application/json")
    /// Streams `chunks`, then keeps the connection open and silent until the client leaves or
    /// the stand-in stops.
    case silentAfter(chunks: [String])
    /// Streams `chunks`, then drops the connection without `message_end` or the final chunk.
    case cutAfter(chunks: [String])
    /// A `message_file` event (`type` image, `belongs_to` assistant, `url` as given — relative
    /// URLs like Dify's `/files/tools/…`), then an answer of `thenAnswer` chunks.
    case messageFile(url: String, thenAnswer: [String])
    /// 404 `not_found` "Conversation Not Exists." when the request carries a non-empty
    /// `conversation_id`; an answer of `thenAnswer` otherwise (the client's retry as new).
    case conversationMissingOnce(thenAnswer: [String])
    /// Takes one permit from `gate` before each chunk (see `Gate`).
    case gated(chunks: [String], gate: Gate)
    /// Anything else: the test writes the response itself.
    case custom(@Sendable (RecordedChatRequest, HTTPResponseWriter) -> Void)

    /// An answer streamed one character per chunk.
    public static func answer(text: String, mode: AnswerMode = .chat) -> DifyScript {
        .answer(chunks: text.map(String.init), mode: mode)
    }

    /// 500 `internal_server_error` JSON, as Dify answers an unexpected exception.
    public static var internalServerError: DifyScript {
        .httpError(status: 500, body: DifyErrorBody.internalServerError.bodyText)
    }

    /// nginx's 502 HTML page.
    public static var badGateway: DifyScript {
        .httpError(status: 502, body: DifyErrorBody.badGatewayHTML.bodyText, contentType: "text/html")
    }

    /// 429 `too_many_requests` JSON (the app's concurrency cap).
    public static var tooManyRequests: DifyScript {
        .httpError(status: 429, body: DifyErrorBody.tooManyRequests.bodyText)
    }

    /// Every answer chunk the script would stream (empty for errors and custom handlers).
    public var chunks: [String] {
        switch self {
        case .answer(let chunks, _, _, _, _), .answerThenError(let chunks, _, _, _),
             .silentAfter(let chunks), .cutAfter(let chunks), .gated(let chunks, _):
            return chunks
        case .messageFile(_, let chunks), .conversationMissingOnce(let chunks):
            return chunks
        case .httpError, .custom:
            return []
        }
    }

    /// The case name, for logs and assertions.
    public var name: String {
        switch self {
        case .answer: return "answer"
        case .answerThenError: return "answerThenError"
        case .httpError: return "httpError"
        case .silentAfter: return "silentAfter"
        case .cutAfter: return "cutAfter"
        case .messageFile: return "messageFile"
        case .conversationMissingOnce: return "conversationMissingOnce"
        case .gated: return "gated"
        case .custom: return "custom"
        }
    }
}

extension CannedResponse {
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
