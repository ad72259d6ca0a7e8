import ArgumentParser

struct JobsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List jobs, newest first.",
        discussion: """
        Examples:
          wecomctl jobs list
          wecomctl jobs list --state dead --limit 50
        """)

    @Option(help: "Only jobs in this state.")
    var state: JobStateArgument?

    @Option(help: "At most this many jobs (1–10000).")
    var limit = 20

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1–10000") }
    }

    func run() throws {
        let (store, _, _) = try database.openStore(create: false)
        defer { store.close() }
        let jobs = try store.jobs(state: state?.state, limit: limit)
        guard !jobs.isEmpty else {
            Console.out(state.map { "no \($0.rawValue) jobs" } ?? "no jobs")
            return
        }
        var table = TextTable("ID", "STATE", "ATTEMPTS", "STREAM", "CREATED", "UPDATED", "LAST_ERROR")
        for job in jobs {
            table.add(String(job.id), job.state.rawValue, "\(job.attempts)/\(job.maxAttempts)", job.streamID,
                      Formatting.localTime(job.createdAt), Formatting.localTime(job.updatedAt),
                      job.lastError.map { Formatting.excerpt($0, 80) } ?? "-")
        }
        Console.out(table.rendered)
    }
}
