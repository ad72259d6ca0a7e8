import ArgumentParser
import BotStore
import JSONCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the queue and the streams: counts by state, waiting time, dead jobs, expired leases.",
        discussion: """
        Queued jobs wait for a worker (a growing oldest age means no worker is running, or too \
        few); running jobs with an expired lease belonged to a worker that died and will be \
        re-claimed; dead jobs failed for good (see `wecomctl jobs list --state dead`).

        Examples:
          wecomctl status
          wecomctl status --json | jq .jobs.dead
        """)

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, backend, _) = try database.openStore(create: false)
        defer { store.close() }
        let now = Formatting.now
        let report = try store.statusReport(now: now)
        let version = try store.schemaVersion()
        if json {
            Console.out(StatusJSON(report: report, database: backend.description, schemaVersion: version, now: now).text)
            return
        }
        Console.out("database: \(backend) (schema \(version))")
        var jobs = TextTable("JOBS", "COUNT", "")
        for state in JobState.allCases {
            jobs.add(state.rawValue, String(report.jobs[state] ?? 0), note(for: state, report))
        }
        Console.out(jobs.rendered)
        var streams = TextTable("STREAMS", "COUNT")
        for state in StreamState.allCases { streams.add(state.rawValue, String(report.streams[state] ?? 0)) }
        Console.out(streams.rendered)
    }

    private func note(for state: JobState, _ report: StatusReport) -> String {
        switch state {
        case .queued: "\(report.dueJobs) due; oldest waiting \(report.oldestQueuedAge.map(Formatting.age) ?? "-")"
        case .running: "\(report.expiredLeases) with an expired lease"
        case .done: ""
        case .dead: report.deadJobs > 0 ? "see: wecomctl jobs list --state dead" : ""
        }
    }
}

/// `status --json`: stable snake_case keys, every state present, `null` for a missing age.
struct StatusJSON {
    var report: StatusReport
    var database: String
    var schemaVersion: Int
    var now: Int64

    init(report: StatusReport, database: String, schemaVersion: Int, now: Int64) {
        self.report = report
        self.database = database
        self.schemaVersion = schemaVersion
        self.now = now
    }

    var json: JSONValue {
        [
            "database": .string(database),
            "schema_version": .number(Double(schemaVersion)),
            "now": .number(Double(now)),
            "jobs": .object(Dictionary(uniqueKeysWithValues: report.jobs.map { ($0.key.rawValue, .number(Double($0.value))) })),
            "streams": .object(Dictionary(uniqueKeysWithValues: report.streams.map { ($0.key.rawValue, .number(Double($0.value))) })),
            "oldest_queued_age_seconds": report.oldestQueuedAge.map { .number(Double($0)) } ?? .null,
            "due_jobs": .number(Double(report.dueJobs)),
            "dead_jobs": .number(Double(report.deadJobs)),
            "expired_leases": .number(Double(report.expiredLeases)),
        ]
    }

    /// Compact, keys sorted.
    var text: String { String(decoding: JSONWriter.bytes(json), as: UTF8.self) }
}
