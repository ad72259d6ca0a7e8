import ArgumentParser
import Foundation

/// The long-connection figures (issue 18): (a) relay latency, a chunk written by the stand-in
/// Dify → the first `aibot_respond_msg` stream frame holding its text at the stand-in WeCom
/// server; (b) scale, one `wecom-ws` holding many bots and streams at once: its peak RSS, CPU per
/// pushed frame, frames/s and whether every stream ended with exactly Dify's answer. With
/// `--postgres`, both on the PostgreSQL backend. Prints a Markdown section for bench/results.md.
struct WSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws", abstract: "wecom-ws relay latency and scale figures (Markdown on stdout).")

    @Option(help: "The wecom-ws executable.") var ws: String
    @Option(help: "The wecom-worker executable.") var worker: String
    @Option(help: "Folder for databases and logs.") var dir: String
    @Option(help: "Messages relayed at once in (a), each its own stream.") var relayStreams = 8
    @Option(help: "Bots in (b).") var bots = 100
    @Option(help: "Messages (streams) at once in (b).") var streams = 1000
    @Option(help: "Chunks of each answer in (b).") var chunks = 25
    @Option(help: "Milliseconds between two chunks of an answer in (b).") var gap = 1000
    @Option(help: "wecom-worker processes in (b).") var workers = 2
    @Option(help: "--concurrency of each worker in (b).") var concurrency = 500
    @Flag(help: "A smaller (b) for a try: 20 bots, 200 streams, 10 chunks 500 ms apart, one worker.") var quick = false
    @Flag(help: "Only (b).") var scaleOnly = false
    @Flag(help: ArgumentHelp(
        "On PostgreSQL: the services get this process's WECOM_DATABASE_URL, and each run a schema of its own named after "
            + "WECOM_PG_SCHEMA (default wecom_ws) and the run, dropped first.")) var postgres = false

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        var database: (url: String, schema: String)?
        if postgres {
            let environment = ProcessInfo.processInfo.environment
            guard let url = environment["WECOM_DATABASE_URL"] else { throw BenchError("--postgres needs WECOM_DATABASE_URL") }
            database = (url, environment["WECOM_PG_SCHEMA"] ?? "wecom_ws")
        }
        let bench = try WSBench(ws: ws, worker: worker, dir: dir, postgres: database)
        let onOne = postgres ? "one PostgreSQL schema, its server on this machine" : "one SQLite file"
        var out = "### Long connection\(postgres ? " on PostgreSQL" : "") (`wecom-ws`, issue 18; stand-in WeCom server and "
            + "stand-in Dify on loopback)\n\n"
        var targets = ""
        if !scaleOnly {
            log("ws (a): relay latency")
            let steady = try bench.run("relay-steady", .init(bots: 4, messages: relayStreams, gaps: [30], chunks: 50, workers: 1, concurrency: 16))
            let bursty = try bench.run("relay-bursty", .init(bots: 4, messages: relayStreams, gaps: [20, 400], chunks: 20, workers: 1, concurrency: 16))
            out += "(a) Relay latency: chunk written by the stand-in Dify → the first stream frame holding its text received by "
                + "the stand-in WeCom server (`wecom-worker` and `wecom-ws` on \(onOne), default `WECOM_STREAM_FLUSH_INTERVAL` "
                + "0.1 s; \(relayStreams) messages at once over 4 bots).\n\n"
            out += "| chunk cadence | samples | p50 | p99 | max | load average before / after |\n|---|---:|---:|---:|---:|---|\n"
            out += "| steady, a chunk every 30 ms | \(steady.relay.cells) | \(steady.loadBefore) / \(steady.loadAfter) |\n"
            out += "| bursty, 20 ms then 400 ms pauses | \(bursty.relay.cells) | \(bursty.loadBefore) / \(bursty.loadAfter) |\n\n"
            for o in [steady, bursty] where o.finished < o.setup.messages || o.exact < o.finished || !o.anomalies.isEmpty {
                out += "Correctness: \(correctness(o))\n\n"
            }
            targets += "- relay latency p99 ≤ 150 ms (steady cadence): \(verdict(steady.relay.percentile(0.99) <= 0.150)) "
                + "(\(ms(steady.relay.percentile(0.99))))\n"
        }
        var setup = WSBench.Setup(bots: bots, messages: streams, gaps: [gap], chunks: chunks, workers: workers, concurrency: concurrency)
        if quick { setup = .init(bots: 20, messages: 200, gaps: [500], chunks: 10, workers: 1, concurrency: 200) }
        log("ws (b): \(setup.bots) bots, \(setup.messages) streams")
        let s = try bench.run("scale", setup)
        out += "(b) Scale: one `wecom-ws` holding \(setup.bots) bots; \(setup.messages) messages pushed at once across them, each answer "
            + "\(setup.chunks) chunks \(setup.gaps[0]) ms apart; \(setup.workers) `wecom-worker` × `--concurrency \(setup.concurrency)`, "
            + "all on \(onOne) and the same 2 cores as the stand-ins (this process: \(String(format: "%.1f", s.benchCPU)) s CPU).\n\n"
        out += "| bots | streams | open at once (frames) / (Dify) | stream frames | frames/s | wecom-ws RSS idle → peak (VmHWM) | "
            + "wecom-ws idle CPU | wecom-ws CPU per frame | worker CPU, peak RSS | relay p50 / p99 | load average before / after |\n"
        out += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
        let perFrame = s.frames > 0 ? s.wsCPU / Double(s.frames) : .nan
        out += "| \(setup.bots) | \(setup.messages) | \(s.openAtOnce) / \(s.difyAtOnce) | \(s.frames) | "
            + "\(String(format: "%.0f", Double(s.frames) / max(s.seconds, 0.001))) | \(mb(s.wsIdleKB)) → \(mb(s.wsPeakKB)) | "
            + "\(String(format: "%.1f %%", s.wsIdleCPU * 100)) | \(String(format: "%.0f µs", perFrame * 1e6)) | "
            + "\(String(format: "%.1f s", s.workerCPU)), \(mb(s.workerPeakKB)) | "
            + "\(ms(s.relay.percentile(0.5))) / \(ms(s.relay.percentile(0.99))) | \(s.loadBefore) / \(s.loadAfter) |\n\n"
        out += "Correctness: \(correctness(s))\n"
        targets += "- \(setup.bots) bots and \(setup.messages) concurrent streams in one `wecom-ws` under 100 MB RSS: "
            + "\(verdict(s.openAtOnce >= setup.messages && s.wsPeakKB < 100 * 1024)) "
            + "(\(s.openAtOnce) open at once, peak RSS \(mb(s.wsPeakKB)))\n"
        targets += "- CPU per pushed frame (no target): \(String(format: "%.0f µs", perFrame * 1e6)) "
            + "(\(String(format: "%.1f", s.wsCPU)) s over \(s.frames) frames in \(String(format: "%.1f", s.seconds)) s)\n"
        out += "\nLong-connection targets\(postgres ? " on PostgreSQL" : ""):\n\n" + targets
        print(out, terminator: "")
    }

    private func correctness(_ o: WSBench.Outcome) -> String {
        var text = "\(o.finished) of \(o.setup.messages) streams got their final frame, \(o.exact) with exactly Dify's answer"
        text += o.sends == 0 ? "; no `aibot_send_msg`" : "; \(o.sends) `aibot_send_msg`"
        text += "; \(o.repeated) frames repeated their stream's previous frame"
        if !o.anomalies.isEmpty { text += "; \(o.anomalies.count) streams with: " + o.anomalies.prefix(5).joined(separator: "; ") + (o.anomalies.count > 5 ? " …" : "") }
        return text + (o.finished == o.setup.messages && o.exact == o.finished && o.anomalies.isEmpty ? " (**all correct**)." : " (**not all correct**).")
    }
}
