import BotStore

/// What one streaming pass has gathered so far, and when to write it.
struct AnswerStream {
    var answer = ""
    var files: [String] = []
    var savedConversation = false
    var closedEarly = false
    var throttle: ProgressThrottle
    let deadline: StreamDeadline
    /// Why the pass asked curl to stop (lease lost, released, a store error).
    var abortReason: Error?

    init(job: ClaimedJob, settings: WorkerSettings, start: Double) {
        throttle = ProgressThrottle(interval: settings.flushInterval, renewEvery: settings.lease / 3, start: start)
        deadline = StreamDeadline(messageAt: job.messageAt, deadline: settings.streamDeadline)
    }

    /// The answer as shown while it grows: images still as links (they are fetched at the end).
    var displayText: String { MarkdownImages.displayText(answer, fetched: []) }
}
