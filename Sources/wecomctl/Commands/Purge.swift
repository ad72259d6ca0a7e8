import ArgumentParser
import Foundation

struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete old finished streams (with their messages, images and jobs), then reclaim space (SQLite: checkpoint the WAL).",
        discussion: """
        Deletes streams that finished (or failed) before the cutoff, together with their \
        messages, images and job, and done or dead jobs older than that. Queued and running \
        work is never touched, nor conversations, bots, agents or feedback. Rows go in write \
        transactions of --batch streams, so responders and workers wait at most one batch; it is \
        safe while the services run. Purged msgids are forgotten, so a redelivery of one would \
        be answered again: keep the age well above a few minutes. The file does not shrink \
        (SQLite reuses the free pages); run `sqlite3 FILE 'VACUUM'` during a quiet moment for that.

        Durations: 7d, 12h, 30m, 3600s, 3600 (seconds), 2w, or combined like 1d12h.

        Examples:
          wecomctl purge --older-than 7d
          wecomctl purge --older-than 1d12h --batch 200
        """)

    @Option(name: .customLong("older-than"), help: ArgumentHelp("How old finished rows must be.", valueName: "duration"))
    var olderThan: String

    @Option(help: "Streams per write transaction (1–10000).")
    var batch = 500

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard let seconds = AgeParser.seconds(olderThan), seconds > 0 else {
            throw ValidationError("--older-than '\(olderThan)' must be a positive duration such as 7d, 12h, 30m or 3600s")
        }
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be 1–10000") }
    }

    func run() throws {
        let (store, backend, _) = try database.openStore(create: false)
        defer { store.close() }
        let cutoff = Formatting.now - (AgeParser.seconds(olderThan) ?? 0)
        let counts = try store.purge(olderThan: cutoff, batch: batch)
        Console.out("purged rows finished before \(Formatting.localTime(cutoff)) in \(counts.batches) transaction(s):")
        var table = TextTable("TABLE", "DELETED")
        table.add("streams", String(counts.streams))
        table.add("messages", String(counts.messages))
        table.add("stream_images", String(counts.images))
        table.add("jobs", String(counts.jobs))
        Console.out(table.rendered)
        Console.out(try backend.reclaimSpace())
    }
}
