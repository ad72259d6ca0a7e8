import ArgumentParser
import BotStore
import Foundation

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
        let (store, config) = try database.openStore(create: false)
        defer { store.close() }
        let now = Formatting.now
        let report = try store.statusReport(now: now)
        let version = try store.schemaVersion()
        if json {
            Console.out(try StatusJSON(report: report, database: config.databasePath, schemaVersion: version, now: now).text)
            return
        }
        Console.out("database: \(config.databasePath) (schema \(version))")
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

/// `status --json`: stable snake_case keys, every state present.
struct StatusJSON: Encodable {
    var database: String
    var schemaVersion: Int
    var now: Int64
    var jobs: [String: Int]
    var streams: [String: Int]
    var oldestQueuedAgeSeconds: Int64?
    var dueJobs: Int
    var deadJobs: Int
    var expiredLeases: Int

    init(report: StatusReport, database: String, schemaVersion: Int, now: Int64) {
        self.database = database
        self.schemaVersion = schemaVersion
        self.now = now
        jobs = Dictionary(uniqueKeysWithValues: report.jobs.map { ($0.key.rawValue, $0.value) })
        streams = Dictionary(uniqueKeysWithValues: report.streams.map { ($0.key.rawValue, $0.value) })
        oldestQueuedAgeSeconds = report.oldestQueuedAge
        dueJobs = report.dueJobs
        deadJobs = report.deadJobs
        expiredLeases = report.expiredLeases
    }

    enum CodingKeys: String, CodingKey {
        case database, now, jobs, streams
        case schemaVersion = "schema_version", oldestQueuedAgeSeconds = "oldest_queued_age_seconds"
        case dueJobs = "due_jobs", deadJobs = "dead_jobs", expiredLeases = "expired_leases"
    }

    /// Writes `null` for a missing age rather than leaving the key out.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(database, forKey: .database)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(now, forKey: .now)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(streams, forKey: .streams)
        try c.encode(oldestQueuedAgeSeconds, forKey: .oldestQueuedAgeSeconds)
        try c.encode(dueJobs, forKey: .dueJobs)
        try c.encode(deadJobs, forKey: .deadJobs)
        try c.encode(expiredLeases, forKey: .expiredLeases)
    }

    var text: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }
}
