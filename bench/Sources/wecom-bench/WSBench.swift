import BotStore
import DifyStandIn
import Foundation
import JSONCore
import LongConnection
import WeComCrypto
import Synchronization
import WeComWSStandIn

/// Long-connection mode measured end to end: `wecom-ws` and `wecom-worker` as real processes on
/// one SQLite file or one PostgreSQL schema, the stand-in WeCom long-connection server and the
/// stand-in Dify in this process. Messages go in as `aibot_msg_callback` frames; the stand-in Dify
/// streams each answer as its query says (``WSPlan``) and notes when it wrote each chunk; the
/// WeCom stand-in notes when each stream frame arrived, on the same clock.
final class WSBench {
    struct Setup {
        var bots: Int
        var messages: Int
        var gaps: [Int]
        var chunks: Int
        var workers: Int
        var concurrency: Int
        /// Seconds of the idle holder measured before the messages go in.
        var idleSeconds: Double = 2
    }

    struct Outcome {
        var setup: Setup
        /// Chunk written by the stand-in Dify → first stream frame holding its text.
        var relay = Samples()
        /// Stream frames (`aibot_respond_msg`) of the run's messages, and `aibot_send_msg` frames.
        var frames = 0
        var sends = 0
        /// First message pushed → last final frame.
        var seconds = 0.0
        /// Streams between their first and final frame at the same moment, at most.
        var openAtOnce = 0
        /// Answers the stand-in Dify was streaming at once, at most.
        var difyAtOnce = 0
        /// Streams whose final frame arrived; of those, how many carried exactly Dify's answer,
        /// and how many streams had more than one final frame or a frame that was not a prefix.
        var finished = 0
        var exact = 0
        var anomalies: [String] = []
        /// Stream frames that repeated their stream's previous frame (content and finish flag).
        var repeated = 0
        var wsIdleCPU = 0.0
        var wsIdleKB = 0
        var wsCPU = 0.0
        var wsPeakKB = 0
        var workerCPU = 0.0
        var workerPeakKB = 0
        /// This process (both stand-ins) over the run.
        var benchCPU = 0.0
        var loadBefore = ""
        var loadAfter = ""
    }

    let wsBinary: String
    let workerBinary: String
    let dir: String
    /// The PostgreSQL database and schema name the runs' schemas are named after; nil for SQLite.
    let postgres: (url: String, schema: String)?
    let dify: DifyStandIn
    let written = Recorder<ContinuousClock.Instant>()
    let active = ActiveCount()

    init(ws: String, worker: String, dir: String, postgres: (url: String, schema: String)?) throws {
        wsBinary = ws; workerBinary = worker; self.dir = dir; self.postgres = postgres
        dify = try DifyStandIn()
        let (active, written) = (active, written)
        dify.setRequestScript { chat in
            let plan = WSPlan(query: chat.query ?? "")
            return .custom { chat, writer in
                streamAnswer(chat, writer, active: active, chunks: plan.chunks, gap: plan.gap(before:), text: WSPlan.text) { i in
                    written.set("\(plan.key)#\(i)", ContinuousClock.now)
                }
            }
        }
    }

    deinit { dify.stop() }

    /// One run on an empty store (a new SQLite file, or a PostgreSQL schema named after the run:
    /// `<schema>_<label>`): `setup.bots` bots held by one `wecom-ws`, `setup.messages` messages
    /// spread over them, their answers streamed to the end.
    func run(_ label: String, _ setup: Setup) throws -> Outcome {
        let folder = dir + "/ws-" + label
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let location: ResponderStore = postgres.map {
            .postgres(url: $0.url, schema: $0.schema + "_" + label.replacingOccurrences(of: "-", with: "_"))
        } ?? .sqlite(path: folder + "/bot.sqlite3")
        let store = try location.openEmpty()
        defer { store.close() }
        var secrets: [String: String] = [:]
        for b in 0..<setup.bots {
            let botID = String(format: "wsbench-%03d", b), secret = "secret-\(b)-" + SecureRandom.alphanumeric(12)
            secrets[botID] = secret
            try store.saveBot(BotRecord(botID: botID, token: "", encodingAESKey: "", wsSecret: secret,
                                        createdAt: Int64(Date().timeIntervalSince1970)))
        }
        let botIDs = secrets.keys.sorted()
        let wecom = try WeComWSStandIn(bots: secrets)
        defer {
            let wecom = wecom
            try? blocking { try await wecom.shutdown() }
        }
        let environment = { (name: String) in
            [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "WECOM_ENV_FILE": folder + "/none.env", "WECOM_LOG_LEVEL": "warning",
                "DIFY_API_BASE_URL": self.dify.apiBaseURL, "DIFY_API_KEY": self.dify.apiKey, "WECOM_WS_URL": wecom.url,
            ].merging(location.environment(name: name)) { _, store in store }
        }
        // The waits below ask the store every 25 ms or so, not every 5 ms, to spare the database.
        let now = { Int64(Date().timeIntervalSince1970) }
        var workers: [Child] = []
        defer { for worker in workers { worker.stop() } }
        for n in 0..<setup.workers {
            let worker = try Child(workerBinary, ["--concurrency", String(setup.concurrency), "--grace", "5"],
                                   environment: environment("wecom-worker-\(n)"), logPath: folder + "/wecom-worker-\(n).log")
            workers.append(worker)
            // A worker writes its heartbeat row once it can be woken (its wake socket or LISTEN is up).
            guard wait(timeout: 60, {
                usleep(20_000)
                return !worker.process.isRunning
                    || ((try? store.workerStatuses(now: now()))?.contains { $0.pid == worker.pid } ?? false)
            }), worker.process.isRunning else { throw BenchError("wecom-worker did not start: \(worker.log)") }
        }
        let ws = try Child(wsBinary, [], environment: environment("wecom-ws"), logPath: folder + "/wecom-ws.log")
        defer { ws.stop() }
        guard wait(timeout: 120, {
            usleep(20_000)
            return !ws.process.isRunning
                || (try? store.connectionStatuses(now: now()).filter { $0.connected }.count) == setup.bots
        }), ws.process.isRunning else {
            throw BenchError("wecom-ws did not subscribe its \(setup.bots) bots: \(ws.log.suffix(2000))")
        }

        var outcome = Outcome(setup: setup)
        var cpu = ProcStats.cpuSeconds(ws.pid)
        usleep(useconds_t(setup.idleSeconds * 1_000_000))
        outcome.wsIdleCPU = (ProcStats.cpuSeconds(ws.pid) - cpu) / setup.idleSeconds
        outcome.wsIdleKB = ProcStats.status(ws.pid, "VmRSS") ?? 0
        outcome.loadBefore = Self.loadAverage()

        cpu = ProcStats.cpuSeconds(ws.pid)
        let workerCPU = workers.map { ProcStats.cpuSeconds($0.pid) }.reduce(0, +)
        let benchCPU = Self.ownCPUSeconds()
        active.reset()
        let tag = SecureRandom.alphanumeric(6)
        let plans = (0..<setup.messages).map { WSPlan(key: "\(tag)\($0)", gaps: setup.gaps, chunks: setup.chunks) }
        let firstIndex = wecom.received.count
        let started = ContinuousClock.now
        try blocking {
            for (k, plan) in plans.enumerated() {
                let botID = botIDs[k % botIDs.count]
                try await wecom.push(Frame(command: .messageCallback, reqID: plan.reqID, body: [
                    "msgid": .string("wsb-msg-\(plan.key)"), "aibotid": .string(botID), "chattype": "single",
                    "from": ["userid": .string("user-\(k)")], "msgtype": "text", "text": ["content": .string(plan.query)],
                ]), toBot: botID)
            }
        }

        // Wait for every final frame, looking at the new records only, twice a second.
        let expected = Set(plans.map(\.reqID))
        var finals = 0, scanned = firstIndex
        let deadline = monotonic() + Double(setup.chunks * (setup.gaps.max() ?? 0)) / 1000 + 180
        while finals < setup.messages && monotonic() < deadline && ws.process.isRunning {
            usleep(500_000)
            let records = wecom.received.all
            for r in records[scanned...] where r.frame.command == .respondMessage && expected.contains(r.frame.reqID)
                && r.frame.body?["stream"]?["finish"] == .bool(true) {
                finals += 1
            }
            scanned = records.count
        }
        outcome.wsCPU = ProcStats.cpuSeconds(ws.pid) - cpu
        outcome.wsPeakKB = ProcStats.status(ws.pid, "VmHWM") ?? 0
        outcome.workerCPU = workers.map { ProcStats.cpuSeconds($0.pid) }.reduce(0, +) - workerCPU
        outcome.workerPeakKB = workers.map { ProcStats.status($0.pid, "VmHWM") ?? 0 }.max() ?? 0
        outcome.benchCPU = Self.ownCPUSeconds() - benchCPU
        outcome.loadAfter = Self.loadAverage()
        outcome.difyAtOnce = active.peak
        try examine(Array(wecom.received.all[firstIndex...]), plans: plans, started: started, into: &outcome)
        if outcome.finished < setup.messages {
            log("ws \(label): \(outcome.finished) of \(setup.messages) streams finished; wecom-ws log: \(ws.log.suffix(1500))")
        }
        return outcome
    }

    /// Frames → the outcome's counts, relay samples and correctness check.
    private func examine(_ records: [WeComWSStandIn.Received], plans: [WSPlan], started: ContinuousClock.Instant,
                         into outcome: inout Outcome) throws {
        struct Progress {
            var plan: WSPlan
            var next = 0
            var first: ContinuousClock.Instant?
            var final: ContinuousClock.Instant?
            var finals = 0
            var notPrefix = 0
            var previous: (content: String, finish: Bool)?
        }
        var streams = Dictionary(uniqueKeysWithValues: plans.map { ($0.reqID, Progress(plan: $0)) })
        for r in records {
            if r.frame.command == .sendMessage { outcome.sends += 1 }
            guard r.frame.command == .respondMessage, var p = streams[r.frame.reqID],
                  let content = r.frame.body?["stream"]?["content"]?.stringValue else { continue }
            outcome.frames += 1
            if p.first == nil { p.first = r.at }
            while p.next < p.plan.chunks && content.contains(WSPlan.marker(p.next)) {
                if let at = written.get("\(p.plan.key)#\(p.next)") { outcome.relay.add(seconds(r.at - at)) }
                p.next += 1
            }
            if !p.plan.answer.hasPrefix(content) { p.notPrefix += 1 }
            let finish = r.frame.body?["stream"]?["finish"] == .bool(true)
            if let previous = p.previous, previous == (content, finish) { outcome.repeated += 1 }
            p.previous = (content, finish)
            if finish {
                p.finals += 1
                p.final = r.at
                if content == p.plan.answer { outcome.exact += 1 }
            }
            streams[r.frame.reqID] = p
        }
        var events: [(ContinuousClock.Instant, Int)] = []
        var last = started
        for p in streams.values {
            if p.finals > 0 { outcome.finished += 1 }
            if p.finals > 1 { outcome.anomalies.append("\(p.plan.reqID): \(p.finals) final frames") }
            if p.notPrefix > 0 { outcome.anomalies.append("\(p.plan.reqID): \(p.notPrefix) frames not a prefix of the answer") }
            if let first = p.first, let final = p.final {
                events += [(first, 1), (final, -1)]
                last = max(last, final)
            }
        }
        outcome.exact = min(outcome.exact, outcome.finished)
        var open = 0
        for (_, change) in events.sorted(by: { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }) {
            open += change
            outcome.openAtOnce = max(outcome.openAtOnce, open)
        }
        outcome.seconds = seconds(last - started)
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// utime + stime of this process so far.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// How the stand-in Dify streams one answer, encoded in the user's text so that its script can
/// read it: `wsb-<key>-<gap,gap…>-<chunks>` (gaps in milliseconds, cycled).
struct WSPlan: Sendable {
    var key = ""
    var chunks = 3
    var gaps = [1]

    init(key: String, gaps: [Int], chunks: Int) {
        self.key = key; self.gaps = gaps; self.chunks = chunks
    }

    init(query: String) {
        let parts = query.split(separator: "-")
        guard parts.count == 4, parts[0] == "wsb", let n = Int(parts[3]) else { return }
        let parsed = parts[2].split(separator: ",").compactMap { Int($0) }
        guard !parsed.isEmpty else { return }
        key = String(parts[1]); chunks = n; gaps = parsed
    }

    var query: String { "wsb-\(key)-\(gaps.map(String.init).joined(separator: ","))-\(chunks)" }
    var reqID: String { "wsb-req-\(key)" }
    var answer: String { (0..<chunks).map(Self.text).joined() }

    func gap(before i: Int) -> Int { gaps[(i - 1) % gaps.count] }
    static func marker(_ i: Int) -> String { "⟦\(i)⟧" }
    static func text(_ i: Int) -> String { marker(i) + "长连接的第 \(i) 段回答。" }
}

/// Runs `body` to its end from synchronous code (the commands are synchronous; the stand-in's
/// pushes are async).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}
