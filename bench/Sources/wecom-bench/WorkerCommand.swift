import ArgumentParser
import DifyStandIn
import Foundation

/// The worker figures, against the stand-in Dify (in this process) and the real responder
/// behind nginx at `--url`: (a) answers one worker process carries at once, with its peak RSS;
/// (b) relay latency: the stand-in writes a chunk → the text is in a refresh reply;
/// (c) job start: a message callback returns → its chat request reaches the stand-in.
/// With `--postgres`, (b) and (c) on the PostgreSQL backend (the responder behind `--url` must use
/// the same schema). Prints a Markdown section for bench/results.md.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Worker capacity, relay latency and job start figures (Markdown on stdout).")

    @Option(help: "The wecom-worker executable.") var worker: String
    @Option(help: "Folder for databases and logs.") var dir: String
    @Option(help: "SQLite file of the responder behind --url (not with --postgres).") var db: String?
    @Option(help: "Callback URL through nginx: http://127.0.0.1:PORT/wecom/callback/<botid>.") var url: String
    @Option(help: "The bot's token.") var token: String
    @Option(help: "The bot's EncodingAESKey.") var key: String
    @Option(parsing: .upToNextOption, help: "Answers enqueued at once for (a).") var streams: [Int] = [100, 500, 1000]
    @Option(help: "--concurrency of the worker in (a).") var concurrency = 1000
    @Option(help: "Streams relayed (and polled) at once in (b).") var relayStreams = 8
    @Option(help: "Messages timed in (c).") var starts = 50
    @Flag(help: "Only (a): skip (b) and (c), which need the responder behind --url.") var capacityOnly = false
    @Flag(help: "Only (b) and (c), on PostgreSQL: the workers get this process's WECOM_DATABASE_URL and WECOM_PG_SCHEMA.")
    var postgres = false

    func validate() throws {
        guard postgres != (db != nil) else { throw ValidationError("give either --db or --postgres") }
        guard !(postgres && capacityOnly) else { throw ValidationError("--capacity-only measures SQLite only") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let responder: ResponderStore
        if let db {
            responder = .sqlite(path: db)
        } else {
            let environment = ProcessInfo.processInfo.environment
            guard let url = environment["WECOM_DATABASE_URL"] else { throw BenchError("--postgres needs WECOM_DATABASE_URL") }
            responder = .postgres(url: url, schema: environment["WECOM_PG_SCHEMA"] ?? "wecom_bot")
        }
        let bench = try WorkerBench(worker: worker, dir: dir, token: token, key: key, url: url, responder: responder)
        var out = postgres ? "### Worker on PostgreSQL (`wecom-worker`, stand-in Dify on loopback)\n\n"
            : "### Worker (`wecom-worker`, stand-in Dify on loopback)\n\n"
        var targets = ""
        if !postgres {
            let thousand = try capacity(bench, into: &out)
            if let thousand {
                targets += "- 1,000 concurrent answers in one process under 150 MB RSS: "
                    + verdict(thousand.peak >= 1000 && thousand.peakKB < 150 * 1024)
                    + " (\(thousand.peak) at once, peak RSS \(mb(thousand.peakKB)))\n"
            }
            if capacityOnly {
                print(out + (targets.isEmpty ? "" : "\n" + targets), terminator: "")
                return
            }
            out += "\n"
        }
        log("worker (b): relay latency")
        let steady = try bench.relay(streams: relayStreams, gaps: [30], chunks: 60)
        let bursty = try bench.relay(streams: relayStreams, gaps: [20, 400], chunks: 20)
        log("worker (c): job start")
        let start = try bench.jobStart(count: starts)
        out += "(b) Relay latency: chunk written by the stand-in → its text first seen in a refresh reply "
            + "(real nginx + `wecom-fcgi`, default `WECOM_STREAM_FLUSH_INTERVAL` 0.1 s; \(relayStreams) streams, each polled every 5 ms).\n\n"
        out += "| chunk cadence | samples | p50 | p99 | max |\n|---|---:|---:|---:|---:|\n"
        out += "| steady, a chunk every 30 ms | \(steady.cells) |\n"
        out += "| bursty, 20 ms then 400 ms pauses | \(bursty.cells) |\n"
        out += "\n(c) Job start: message callback returned (client side) → its chat request arrived at the stand-in, "
            + "one message at a time, idle worker (`--concurrency 16`), woken by "
            + (postgres ? "the `NOTIFY` the responder sends once the message is committed.\n\n" : "the responder's datagram.\n\n")
        out += "| samples | p50 | p99 | max |\n|---:|---:|---:|---:|\n| \(start.cells) |\n"

        targets += "- relay latency p99 ≤ 150 ms (steady cadence): \(verdict(steady.percentile(0.99) <= 0.150)) (\(ms(steady.percentile(0.99))))\n"
        targets += "- job start ≤ 10 ms: p50 \(verdict(start.percentile(0.5) <= 0.010)), p99 \(verdict(start.percentile(0.99) <= 0.010)) "
            + "(\(ms(start.percentile(0.5))) / \(ms(start.percentile(0.99))))\n"
        out += "\n" + (postgres ? "Worker targets on PostgreSQL:" : "Worker targets:") + "\n\n" + targets
        print(out, terminator: "")
    }

    /// (a): its table into `out`; returns the row of 1,000 answers with the full `--concurrency`.
    private func capacity(_ bench: WorkerBench, into out: inout String) throws -> WorkerBench.Capacity? {
        out += "(a) One process with `--concurrency \(concurrency)`; every answer is \(WorkerBench.capacityChunks) chunks "
            + "\(WorkerBench.capacityGapMillis) ms apart (about \(WorkerBench.capacityChunks * WorkerBench.capacityGapMillis / 1000) s), "
            + "jobs enqueued straight into SQLite, then one wake-up.\n\n"
        out += "Rows with a smaller `--concurrency` (one slot per answer) are for comparison. Idle CPU is measured once the "
            + "start-up contention (every slot's first claim) has settled, or after 30 s.\n\n"
        out += "| answers | `--concurrency` | at once (peak) | failed | enqueue → all finished | worker RSS idle | idle CPU | "
            + "worker peak RSS (VmHWM) | worker CPU per answer |\n"
        out += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        var thousand: WorkerBench.Capacity?
        for n in streams {
            for slots in n < concurrency ? [concurrency, n] : [concurrency] {
                log("worker (a): \(n) answers, --concurrency \(slots)")
                let c = try bench.capacity(answers: n, concurrency: slots)
                if slots == concurrency && n == 1000 { thousand = c }
                out += "| \(n) | \(slots) | \(c.peak) | \(c.failed) | \(String(format: "%.2f s", c.seconds)) | \(mb(c.idleKB)) | "
                    + "\(String(format: "%.0f %%", c.idleCPU * 100))\(c.settleSeconds >= 1 ? String(format: " (after %.0f s)", c.settleSeconds) : "") | \(mb(c.peakKB)) | "
                    + "\(String(format: "%.1f ms", c.cpuSeconds / Double(n) * 1000)) |\n"
            }
        }
        return thousand
    }
}

func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
