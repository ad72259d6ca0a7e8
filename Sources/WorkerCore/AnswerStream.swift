import BotStore

/// What one streaming pass has gathered so far, and when to write it.
struct AnswerStream {
    var answer = ""
    var files: [String] = []
    var savedConversation = false
    var closedEarly = false
    /// When the lease was last renewed (through the progress writer or directly).
    var leaseRenewedAt: Double
    let deadline: StreamDeadline
    /// Why the pass asked curl to stop (lease lost, released, a store error).
    var abortReason: Error?

    init(job: ClaimedJob, settings: WorkerSettings, start: Double) {
        leaseRenewedAt = start
        deadline = StreamDeadline(messageAt: job.messageAt, deadline: settings.streamDeadline)
    }

    /// The answer as shown while it grows: images still as links (they are fetched at the end).
    var displayText: String { MarkdownImages.displayText(answer, fetched: []) }
}
