import ArgumentParser
import BotStore
import ServiceSupport
import StoreFactory

struct StoreCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy bots, agents, conversations, feedback and the unfinished and recent streams with their jobs to another database.",
        discussion: """
        For moving a single-host SQLite install to PostgreSQL (several hosts), or back. Stop \
        the responders, workers and wecom-ws on both sides first: the copy refuses a store where \
        a job runs or a bot's connection is held under a live lease, and nothing may write \
        meanwhile.

        FROM and TO are each a SQLite file or a PostgreSQL URI, postgresql://USER@HOST:PORT/DB; \
        what the URI leaves out comes from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (keep \
        the password there or in ~/.pgpass: a command line shows in `ps`). PostgreSQL tables are \
        in --from-schema / --to-schema (default WECOM_PG_SCHEMA, else wecom_bot). The destination \
        is created or migrated as needed; it should be empty.

        Copied: every bot, agent, Dify conversation and feedback event; streams that are not \
        finished, whose job is queued or running, or that arrived within --recent, each with \
        its msgid, images, job (ids kept) and long-connection push state. The recent ones keep \
        deduping WeCom's redeliveries and serve the last refreshes after the move; older \
        finished streams stay behind. Running jobs are re-claimed on the destination when their \
        lease ends. Of long-connection mode: each bot's taken-over mark and last error (not its \
        lease), and the messages queued by `wecomctl send` that wait, are being sent, or were \
        queued within --recent (ids kept).

        Interrupted (Ctrl-C, a lost connection)? Run the same command again: rows already \
        copied are recognised and passed over. A destination holding other values under the \
        same keys stops the copy. At the end the rows of each table are counted on both sides; \
        any difference exits with status 1.

        Examples:
          wecomctl store copy --from /var/lib/wecom-bot/wecom-bot.sqlite3 \\
            --to postgresql://wecom@db.internal:5432/wecom
          wecomctl store copy --from postgresql://wecom@db.internal/wecom \\
            --to /var/lib/wecom-bot/wecom-bot.sqlite3
        """)

    @Option(help: ArgumentHelp("The database to copy from: a SQLite file or a postgresql:// URI.", valueName: "location"))
    var from: String

    @Option(help: ArgumentHelp("The database to copy into: a SQLite file or a postgresql:// URI.", valueName: "location"))
    var to: String

    @Option(name: .customLong("from-schema"), help: "The PostgreSQL schema of --from (default: WECOM_PG_SCHEMA).")
    var fromSchema: String?

    @Option(name: .customLong("to-schema"), help: "The PostgreSQL schema of --to (default: WECOM_PG_SCHEMA).")
    var toSchema: String?

    @Option(help: ArgumentHelp("Finished streams younger than this are copied too (0: none).", valueName: "duration"))
    var recent = "10m"

    @Option(help: "Records per write transaction (1–10000).")
    var batch = 500

    func validate() throws {
        guard AgeParser.seconds(recent) != nil else {
            throw ValidationError("--recent '\(recent)' must be a duration such as 10m, 1h or 600s")
        }
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be 1–10000") }
    }

    func run() throws {
        let config = try StartUp.configuration()
        let source = try StoreFactory.backend(location: from, pgSchema: fromSchema ?? config.pgSchema,
                                              wakeDirectory: config.wakeDirectory)
        let destination = try StoreFactory.backend(location: to, pgSchema: toSchema ?? config.pgSchema,
                                                   wakeDirectory: config.wakeDirectory)
        guard source.description != destination.description else {
            throw CommandFailure("--from and --to are the same database: \(source)")
        }
        guard try source.exists() else { throw CommandFailure("no database at \(source)") }
        let now = Formatting.now
        try source.prepare()
        let reader = try source.openTransfer()
        defer { reader.close() }
        try Self.refuseLiveLeases(in: reader, named: "--from", now: now)
        try destination.prepare()
        let writer = try destination.openTransfer()
        defer { writer.close() }
        try Self.refuseLiveLeases(in: writer, named: "--to", now: now)

        let scope = TransferScope(recentSince: now - (AgeParser.seconds(recent) ?? 0))
        Console.out("copying from \(source)")
        Console.out("          to \(destination)")
        Console.out("streams: unfinished, at work, or arrived since \(Formatting.localTime(scope.recentSince))")
        let copier = StoreCopier(source: reader, destination: writer, scope: scope, batchSize: batch)
        let totals = try reader.transferCounts(scope: scope)
        let progress = ProgressLine()
        for kind in TransferKind.allCases {
            let tally: StoreCopier.Tally
            do {
                tally = try copier.copy(kind, total: totals[kind.table] ?? 0) {
                    progress.show("copied \(Formatting.count($0.done))/\(Formatting.count($0.total)) \(kind.rawValue)")
                }
            } catch let conflict as TransferConflict {
                progress.clear()
                throw CommandFailure("stopped at \(conflict); copy into an empty database, or remove what clashes")
            }
            progress.clear()
            let again = tally.alreadyThere > 0 ? ", \(Formatting.count(tally.alreadyThere)) already there" : ""
            Console.out("\(kind.rawValue): \(Formatting.count(tally.inserted)) copied\(again)")
        }
        try Self.report(try copier.countCheck())
    }

    /// A job running under a live lease means a worker is at work on that store; a bot's
    /// connection held under a live lease, a `wecom-ws`.
    private static func refuseLiveLeases(in store: any BotStore, named option: String, now: Int64) throws {
        let report = try store.statusReport(now: now)
        let live = (report.jobs[.running] ?? 0) - report.expiredLeases
        guard live <= 0 else {
            throw CommandFailure("\(option): \(live) job(s) run under a live lease, so a worker is at work there; "
                                 + "stop the responders and workers first (a stopped worker hands its jobs back; "
                                 + "after a crash, wait WECOM_JOB_LEASE seconds)")
        }
        let held = try store.connectionStatuses(now: now).filter(\.isHeld)
        guard held.isEmpty else {
            throw CommandFailure("\(option): \(held.count) bot(s) held by a wecom-ws under a live lease "
                                 + "(\(held.map(\.botID).joined(separator: ", "))); stop wecom-ws first (a stopped "
                                 + "wecom-ws gives its bots up; after a crash, wait WECOM_WS_LEASE seconds)")
        }
    }

    private static func report(_ check: StoreCopier.CountCheck) throws {
        var table = TextTable("TABLE", "SOURCE", "DESTINATION", "")
        for row in check.rows {
            table.add(row.table.rawValue, Formatting.count(row.source), Formatting.count(row.destination),
                      row.source == row.destination ? "" : "differs")
        }
        Console.out(table.rendered)
        guard check.matches else {
            let tables = check.rows.filter { $0.source != $0.destination }.map(\.table.rawValue)
            throw CommandFailure("count check failed (\(tables.joined(separator: ", "))): the destination held other "
                                 + "rows before the copy, or something wrote to either database during it")
        }
        Console.out("count check: every table matches")
    }
}
