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
    /// `wecom-ws` delivers the answer (``JobPayload/longConnection``): the whole of it goes into
    /// the stream, however long, and nothing goes to response_url.
    let longConnection: Bool

    init(job: ClaimedJob, settings: WorkerSettings, start: Double, longConnection: Bool) {
        leaseRenewedAt = start
        self.longConnection = longConnection
        deadline = longConnection ? .never : StreamDeadline(messageAt: job.messageAt, deadline: settings.streamDeadline)
    }

    /// The answer as shown while it grows: images still as links (they are fetched at the end).
    var displayText: String { MarkdownImages.displayText(received.answer, fetched: []) }
}
