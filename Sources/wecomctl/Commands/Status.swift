import ArgumentParser
import BotStore
import JSONCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the queue, the streams, the workers and the long connections: counts by state, waiting time, dead jobs, expired leases, live and silent workers, who holds each bot.",
        discussion: """
        Queued jobs wait for a worker (a growing oldest age means no worker is running, or too \
        few); running jobs with an expired lease belonged to a worker that died and will be \
        re-claimed; dead jobs failed for good (see `wecomctl jobs list --state dead`).

        Workers: each wecom-worker writes a heartbeat every WECOM_WORKER_HEARTBEAT seconds \
        (host, pid, --concurrency, busy slots) and deletes it when it stops cleanly. A worker \
        is live while its last heartbeat is at most three of its periods old, silent after \
        that (killed, hung, or its host is down); a silent worker's row is dropped a day after \
        its last heartbeat. A warning line says so when jobs are due but no worker is live.

        Long-connection bots (a secret in `wecomctl bots list`, the default bot of WECOM_BOT_ID, \
        any bot with messages queued by `wecomctl send`): whether the bot is connected, which \
        wecom-ws holds it (host and pid) and since when, until when its lease runs (an expired \
        lease means the holder died or stalled: a standby takes over), the last connection \
        error, whether another client took the bot over (clear with `wecomctl bots reconnect`), \
        and the messages waiting to be sent.

        Examples:
          wecomctl status
          wecomctl status --json | jq .jobs.dead
        """)

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, backend, config) = try database.openStore(create: false)
        defer { store.close() }
        let now = Formatting.now
        let report = try store.statusReport(now: now)
        let version = try store.schemaVersion()
        let workers = try store.workerStatuses(now: now)
        let warning = WorkerView.noLiveWorkerWarning(dueJobs: report.dueJobs, workers: workers, now: now)
        var connections = try store.connectionStatuses(now: now)
        if config.hasDefaultLongConnectionBot, let botID = config.botID, !connections.contains(where: { $0.botID == botID }) {
            // The default bot before any wecom-ws held it: it has no row yet.
            connections.append(ConnectionStatus(botID: botID, holder: nil, leaseUntil: nil, leaseExpired: false,
                                                connected: false, since: nil, lastError: nil, lastErrorAt: nil,
                                                takenOverAt: nil, queuedOutbound: 0))
            connections.sort { $0.botID < $1.botID }
        }
        if json {
            Console.out(StatusJSON(report: report, connections: connections, workers: workers, warnings: warning.map { [$0] } ?? [],
                                   database: backend.description, schemaVersion: version, now: now).text)
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
        Console.out(workers.isEmpty ? "no worker heartbeat in this database" : WorkerView.table(workers, now: now))
        if !connections.isEmpty { Console.out(Self.connectionTable(connections)) }
        if let warning { Console.out(warning) }
    }

    /// One row per long-connection bot, then a line for each bot taken over.
    static func connectionTable(_ connections: [ConnectionStatus]) -> String {
        var table = TextTable("LONG-CONNECTION BOT", "CONNECTED", "HOLDER", "SINCE", "LEASE", "TAKEN OVER", "QUEUED",
                              "LAST ERROR")
        for bot in connections {
            let lease = bot.leaseUntil.map { (bot.leaseExpired ? "expired " : "until ") + Formatting.localTime($0) } ?? "-"
            let error = bot.lastError.map { Formatting.excerpt($0, 80) + " (\(Formatting.localTime(bot.lastErrorAt)))" }
            table.add(bot.botID, bot.isConnected ? "yes" : "no", bot.holder.map(holderText) ?? "-",
                      Formatting.localTime(bot.since), lease, Formatting.localTime(bot.takenOverAt),
                      String(bot.queuedOutbound), error ?? "-")
        }
        let notes = connections.filter { $0.takenOverAt != nil }.map { bot in
            "bot \(bot.botID) was taken over by another client: stop that client, then run "
                + "`wecomctl bots reconnect \(bot.botID)`"
        }
        return ([table.rendered] + notes).joined(separator: "\n")
    }

    /// `host (pid 1234)`, or the stored id when it is not one of ``ConnectionHolder``'s.
    static func holderText(_ id: String) -> String {
        ConnectionHolder(id: id)?.description ?? id
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
    var connections: [ConnectionStatus]
    var workers: [WorkerStatus]
    var warnings: [String]
    var database: String
    var schemaVersion: Int
    var now: Int64

    init(report: StatusReport, connections: [ConnectionStatus], workers: [WorkerStatus], warnings: [String],
         database: String, schemaVersion: Int, now: Int64) {
        self.report = report
        self.connections = connections
        self.workers = workers
        self.warnings = warnings
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
            "long_connection_bots": .array(connections.map(Self.json)),
            "workers": .array(workers.map { WorkerView.json($0, now: now) }),
            "live_workers": .number(Double(workers.filter { $0.isLive(now: now) }.count)),
            "warnings": .array(warnings.map(JSONValue.string)),
        ]
    }

    /// One long-connection bot; times in unix seconds, `null` when unset.
    static func json(_ bot: ConnectionStatus) -> JSONValue {
        let time = { (value: Int64?) in value.map { JSONValue.number(Double($0)) } ?? .null }
        let holder = bot.holder.map { id -> JSONValue in
            guard let parsed = ConnectionHolder(id: id) else { return ["id": .string(id)] }
            return ["host": .string(parsed.host), "pid": .number(Double(parsed.pid))]
        }
        return [
            "bot_id": .string(bot.botID),
            "connected": .bool(bot.isConnected),
            "holder": holder ?? .null,
            "since": time(bot.since),
            "lease_until": time(bot.leaseUntil),
            "lease_expired": .bool(bot.leaseExpired),
            "last_error": bot.lastError.map(JSONValue.string) ?? .null,
            "last_error_at": time(bot.lastErrorAt),
            "taken_over_at": time(bot.takenOverAt),
            "queued_outbound": .number(Double(bot.queuedOutbound)),
        ]
    }

    /// Compact, keys sorted.
    var text: String { String(decoding: JSONWriter.bytes(json), as: UTF8.self) }
}
