/// Folds decoded events into a ``ChatSummary`` (docs/dify-api.md §3.4). Pure; no I/O.
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
