/// Folds decoded events into a ``ChatSummary`` (dify-api.md §3.4). Pure; no I/O.
struct ChatAccumulator {
    private(set) var summary = ChatSummary()
    /// The first `error` event, as ``DifyError/streamError(status:code:message:)``.
    private(set) var streamError: DifyError?
    /// Whether a terminal event (`message_end`, `workflow_finished`, `error`) arrived.
    private(set) var sawTerminalEvent = false
    /// How many events arrived (pings included).
    private(set) var eventCount = 0

    mutating func apply(_ decoded: DecodedDifyEvent) {
        eventCount += 1
        if summary.conversationID == nil { summary.conversationID = decoded.conversationID }
        if summary.messageID == nil { summary.messageID = decoded.messageID }
        if summary.taskID == nil { summary.taskID = decoded.taskID }
        switch decoded.event {
        case .message(let answer, _, _, _), .agentMessage(let answer, _, _, _):
            summary.answer += answer
            if !answer.isEmpty { summary.sawAnyAnswer = true }
        case .messageReplace(let answer):
            summary.answer = answer
            if !answer.isEmpty { summary.sawAnyAnswer = true }
        case .messageFile(let url, _, let belongsTo):
            if belongsTo != "user" { summary.files.append(url) }
        case .messageEnd, .workflowFinished:
            sawTerminalEvent = true
        case .error(let status, let code, let message):
            sawTerminalEvent = true
            if streamError == nil { streamError = .streamError(status: status, code: code, message: message) }
        case .workflowStarted, .ping, .other, .invalid:
            break
        }
    }
}

/// Receives one `/chat-messages` response body inside curl's write callback: SSE for a 2xx
/// response, otherwise a bounded copy of the error body.
final class ChatStreamReceiver {
    /// The most error-body bytes kept for ``DifyError/http(status:code:message:)``.
    static let maxErrorBodyBytes = 64 << 10

    private var parser = SSEParser()
    private(set) var accumulator = ChatAccumulator()
    private let onEvent: (DifyEvent) -> StreamControl
    private let currentStatus: () -> Int
    /// The HTTP status, read when the first body byte arrives.
    private(set) var status: Int?
    let errorBody = ByteBuffer()
    private(set) var abortedByCaller = false
    private(set) var parseFailure: SSEParser.Failure?

    init(onEvent: @escaping (DifyEvent) -> StreamControl, currentStatus: @escaping () -> Int) {
        self.onEvent = onEvent
        self.currentStatus = currentStatus
    }

    /// One body chunk; false stops the transfer.
    func receive(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let status = self.status ?? currentStatus()
        self.status = status
        guard (200..<300).contains(status) else {
            return errorBody.appendTruncating(chunk, limit: Self.maxErrorBodyBytes)
        }
        do {
            return deliver(try parser.feed(chunk))
        } catch {
            parseFailure = error
            return false
        }
    }

    /// End of the body: delivers an event left without its closing blank line.
    func finish() {
        guard !abortedByCaller, parseFailure == nil else { return }
        _ = deliver(parser.finish())
    }

    private func deliver(_ events: [SSEEvent]) -> Bool {
        for sse in events {
            let decoded = DecodedDifyEvent(sse)
            accumulator.apply(decoded)
            if onEvent(decoded.event) == .abort {
                abortedByCaller = true
                return false
            }
        }
        return true
    }
}

@available(*, unavailable)
extension ChatStreamReceiver: Sendable {}
