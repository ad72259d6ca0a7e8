import ArgumentParser
import BotStore

struct StreamsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one stream: state, content, images, times and its job.",
        discussion: """
        Shows the first 200 characters of the content (line breaks as ⏎), times in local time, \
        and the response_url as host and path only (its query holds a one-time code).

        Example:
          wecomctl streams show 5f0c…   # the stream id from `wecomctl jobs list`
        """)

    @Argument(help: "The stream id.")
    var id: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, _, _) = try database.openStore(create: false)
        defer { store.close() }
        guard let s = try store.streamDetail(id: id) else { throw CommandFailure("no stream \(id)") }
        var rows = TextTable("stream", s.id)
        rows.add("state", "\(s.state.rawValue)\(s.finished ? " (finished)" : "")")
        rows.add("message", "\(s.msgType) \(s.msgID) from \(s.userID)" + (s.chatID.map { " in chat \($0)" } ?? ""))
        rows.add("bot", s.botID + (s.aibotID == s.botID || s.aibotID.isEmpty ? "" : " (aibotid \(s.aibotID))"))
        rows.add("agent", s.agent ?? "(default)")
        rows.add("created", Formatting.localTime(s.createdAt))
        rows.add("updated", Formatting.localTime(s.updatedAt))
        rows.add("finished", Formatting.localTime(s.finishedAt))
        rows.add("content", "\(s.content.count) characters, \(s.content.utf8.count) bytes")
        if !s.content.isEmpty { rows.add("", Formatting.excerpt(s.content, 200)) }
        rows.add("images", String(s.imageCount))
        rows.add("error", s.error.map { Formatting.excerpt($0, 300) } ?? "-")
        rows.add("response_url", responseURL(s))
        rows.add("job", s.job.map(jobLine) ?? "-")
        if let error = s.job?.lastError { rows.add("last error", Formatting.excerpt(error, 300)) }
        Console.out(rows.rendered)
    }

    private func responseURL(_ s: StreamDetail) -> String {
        guard let url = s.responseURL, !url.isEmpty else { return "-" }
        let posted = s.responsePostedAt.map { " (used \(Formatting.localTime($0)))" } ?? " (unused)"
        return Formatting.hostAndPath(url) + posted
    }

    private func jobLine(_ job: JobSummary) -> String {
        var line = "#\(job.id) \(job.state.rawValue), attempt \(job.attempts) of \(job.maxAttempts)"
        if job.state == .queued { line += ", runs at \(Formatting.localTime(job.runAt))" }
        if job.state == .running, let owner = job.leaseOwner {
            line += ", worker \(owner), lease until \(Formatting.localTime(job.leaseUntil))"
        }
        return line
    }
}
