import Foundation
import JSONCore

/// Writes Dify-format SSE for a `.custom` script, event by event: the same framing, field
/// order, ids and split writes as the built-in scripts, plus whatever the test needs beyond
/// them (`message_replace`, unknown events, malformed lines, …).
///
/// ```swift
/// standIn.enqueue(.custom { chat, writer in
///     let stream = standIn.eventStream(for: chat, writer: writer)
///     stream.start()
///     stream.message("draft")
///     stream.messageReplace("moderated")
///     stream.messageEnd()
///     stream.finish()
/// })
/// ```
///
/// Use from the handler's thread only.
public final class DifyEventStream {
    public let chat: RecordedChatRequest
    private let writer: HTTPResponseWriter
    private let emitter: SSEEmitter
    private let createdAt = Int(Date().timeIntervalSince1970)

    public init(writer: HTTPResponseWriter, chat: RecordedChatRequest, splitWrites: Bool = true,
                splitPauseMicros: Int = 1_000, jsonStyle: DifyStandIn.JSONStyle = .compact,
                eventIDLines: Bool = false) {
        self.writer = writer
        self.chat = chat
        emitter = SSEEmitter(writer: writer, split: splitWrites, pauseMicros: splitPauseMicros, style: jsonStyle,
                             eventIDLines: eventIDLines)
    }

    /// 200 with Dify's SSE headers, then the opening ping.
    @discardableResult
    public func start(framing: HTTPBodyFraming = .chunked) -> Bool {
        writer.writeHead(status: 200, headers: ["Content-Type": "text/event-stream; charset=utf-8",
                                                "Cache-Control": "no-cache"], framing: framing)
            && emitter.ping()
    }

    @discardableResult
    public func ping() -> Bool { emitter.ping() }

    /// `{event, conversation_id, message_id, created_at}` + `fields`, in that order.
    @discardableResult
    public func event(_ name: String, fields: [(String, JSONValue)]) -> Bool {
        emit(name, fields.map { ($0.0, JSONText($0.1)) })
    }

    /// A `message` (or `agent_message`) chunk.
    @discardableResult
    public func message(_ answer: String, event name: String = "message") -> Bool {
        var fields: [(String, JSONText)] = [("task_id", .string(chat.taskID)), ("id", .string(chat.messageID)),
                                            ("answer", .string(answer))]
        if name == "message" { fields.append(("from_variable_selector", .null)) }
        return emit(name, fields)
    }

    /// `message_replace`: the client must drop what it has and show `answer`.
    @discardableResult
    public func messageReplace(_ answer: String, reason: String = "output_moderation") -> Bool {
        emit("message_replace", [("task_id", .string(chat.taskID)), ("answer", .string(answer)),
                                 ("reason", .string(reason))])
    }

    /// `message_file` with an image `url` (relative like Dify's `/files/tools/…`, or absolute).
    @discardableResult
    public func messageFile(url: String) -> Bool {
        emit("message_file", [("task_id", .string(chat.taskID)), ("id", .string(DifyStandIn.newID())),
                              ("type", .string("image")), ("belongs_to", .string("assistant")), ("url", .string(url))])
    }

    @discardableResult
    public func messageEnd() -> Bool {
        emit("message_end", [("task_id", .string(chat.taskID)), ("id", .string(chat.messageID)),
                             ("metadata", .object([("annotation_reply", .null), ("retriever_resources", .array([])),
                                                   ("usage", .object([("total_tokens", .int(0))]))])),
                             ("files", .null)])
    }

    /// The in-stream `error` event (no `task_id`, as Dify writes it).
    @discardableResult
    public func error(code: String, message: String, status: Int) -> Bool {
        emit("error", [("code", .string(code)), ("status", .int(status)), ("message", .string(message))])
    }

    /// Bytes exactly as given, one write (malformed lines, comments, `retry:`…).
    @discardableResult
    public func raw(_ text: String) -> Bool { writer.write(text) }

    /// Ends the stream properly.
    public func finish() { writer.finish() }

    /// Drops the connection without ending the stream.
    public func cut() { writer.closeAbruptly() }

    private func emit(_ name: String, _ fields: [(String, JSONText)]) -> Bool {
        emitter.event([("event", .string(name)), ("conversation_id", .string(chat.conversationID)),
                       ("message_id", .string(chat.messageID)), ("created_at", .int(createdAt))] + fields)
    }
}

extension DifyStandIn {
    /// A `DifyEventStream` using this stand-in's wire settings (split writes, JSON style, id lines).
    public func eventStream(for chat: RecordedChatRequest, writer: HTTPResponseWriter) -> DifyEventStream {
        let settings = settingsSnapshot
        return DifyEventStream(writer: writer, chat: chat, splitWrites: settings.splitWrites,
                               splitPauseMicros: settings.splitPauseMicros, jsonStyle: settings.jsonStyle,
                               eventIDLines: settings.eventIDLines)
    }
}

extension JSONText {
    /// A decoded value as ordered JSON (object members sorted by key).
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number):
            if let int = JSONWriter.exactInteger(number) { self = .int(Int(int)) } else { self = .double(number) }
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(JSONText.init))
        case .object(let members): self = .object(members.sorted { $0.key < $1.key }.map { ($0.key, JSONText($0.value)) })
        }
    }
}
