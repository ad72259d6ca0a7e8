import JSONCore

/// Why a Dify call failed. Descriptions carry server and libcurl texts, never the API key.
public enum DifyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No HTTP response: connection refused, DNS, TLS, connect timeout, connection reset.
    case unreachable(String)
    /// A non-success HTTP status before streaming: Dify's `{code, message, status}` body, or for
    /// non-JSON bodies (proxy error pages) an empty `code` and the page's text, shortened.
    case http(status: Int, code: String, message: String)
    /// An `error` event inside the stream (docs/dify-api.md §3.5).
    case streamError(status: Int, code: String, message: String)
    /// No byte arrived for this many seconds.
    case idleTimeout(Double)
    /// The whole request took longer than this many seconds.
    case totalTimeout(Double)
    /// The stream ended without `message_end`, `workflow_finished` or `error`.
    case truncated
    /// A response we cannot use (not an event stream, an event too large, no upload id, …).
    case invalidResponse(String)

    /// Worth retrying later: unreachable, HTTP 429 or 5xx. Stream failures are not: the turn may
    /// already be in the conversation history, and re-sending it would duplicate it (docs/dify-api.md §6).
    public var isTransient: Bool {
        switch self {
        case .unreachable: true
        case .http(let status, _, _): status == 429 || (500...599).contains(status)
        default: false
        }
    }

    /// The stored conversation id is unusable: drop it and resend once as a new conversation
    /// (docs/dify-api.md §8.3): 404 `not_found`, 400 `conversation_completed`, or 400 `invalid_param` about
    /// `conversation_id`. Codes are matched exactly, never the full message (docs/dify-api.md §3.5).
    public var isConversationMissing: Bool {
        switch self {
        case .http(let status, let code, let message), .streamError(let status, let code, let message):
            switch (status, code) {
            case (404, "not_found"), (400, "conversation_completed"): true
            case (400, "invalid_param"): message.contains("conversation_id")
            default: false
            }
        default:
            false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let reason): "Dify unreachable: \(reason)"
        case .http(let status, let code, let message): "Dify HTTP \(status)" + Self.detail(code, message)
        case .streamError(let status, let code, let message): "Dify stream error \(status)" + Self.detail(code, message)
        case .idleTimeout(let seconds): "Dify stream idle for more than \(seconds) s"
        case .totalTimeout(let seconds): "Dify request exceeded \(seconds) s"
        case .truncated: "Dify stream ended without message_end"
        case .invalidResponse(let reason): "invalid Dify response: \(reason)"
        }
    }

    /// " code: message", leaving out empty parts.
    private static func detail(_ code: String, _ message: String) -> String {
        switch (code.isEmpty, message.isEmpty) {
        case (true, true): ""
        case (true, false): " " + message
        case (false, true): " " + code
        case (false, false): " \(code): \(message)"
        }
    }

    /// The longest message kept from a non-JSON error body.
    static let maxRawMessageLength = 200

    /// Builds ``http(status:code:message:)`` from an error response body: Dify's JSON when it
    /// parses, otherwise the text with HTML tags dropped, whitespace collapsed and shortened.
    static func http(status: Int, body: [UInt8]) -> DifyError {
        if let (code, message) = difyErrorFields(body), code != nil || message != nil {
            return .http(status: status, code: code ?? "", message: message ?? "")
        }
        return .http(status: status, code: "", message: plainText(body, limit: maxRawMessageLength))
    }

    /// `code` and `message` of a JSON object body, each nil when absent or null; nil when the body
    /// is not a JSON object or either field is of another type (then it is not Dify's error body).
    private static func difyErrorFields(_ body: [UInt8]) -> (code: String?, message: String?)? {
        guard case let .object(members)? = try? JSONReader.parse(body, depthLimit: DifyJSON.depthLimit) else { return nil }
        func text(_ key: String) -> String?? {
            switch members[key] {
            case nil, .null?: .some(nil)
            case let .string(value)?: .some(value)
            default: nil
            }
        }
        guard let code = text("code"), let message = text("message") else { return nil }
        return (code, message)
    }

    /// `body` as one line of text: tags removed, whitespace collapsed, at most `limit` characters.
    static func plainText(_ body: [UInt8], limit: Int) -> String {
        var text = ""
        var inTag = false
        var pendingSpace = false
        for character in String(decoding: body, as: UTF8.self) {
            if inTag {
                if character == ">" { inTag = false; pendingSpace = true }
            } else if character == "<" {
                inTag = true
            } else if character.isWhitespace {
                pendingSpace = true
            } else {
                if pendingSpace && !text.isEmpty { text.append(" ") }
                pendingSpace = false
                text.append(character)
            }
        }
        return text.count > limit ? text.prefix(limit) + "…" : text
    }
}
