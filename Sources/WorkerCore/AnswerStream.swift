import BotStore
import DifyClient

/// One job's answer while it streams: what has arrived so far, and when to write it.
struct AnswerStream {
    /// The answer so far, as the Dify client accumulated it (read after each event), or as
    /// the echo agent wrote it.
    var received = ChatSummary()
    var savedConversation = false
    var closedEarly = false
    /// When the lease was last renewed (through the progress writer or directly).
    var leaseRenewedAt: Double
    let deadline: StreamDeadline

    init(job: ClaimedJob, settings: WorkerSettings, start: Double) {
        leaseRenewedAt = start
        deadline = StreamDeadline(messageAt: job.messageAt, deadline: settings.streamDeadline)
    }

    /// The answer as shown while it grows: images still as links (they are fetched at the end).
    var displayText: String { MarkdownImages.displayText(received.answer, fetched: []) }
}
