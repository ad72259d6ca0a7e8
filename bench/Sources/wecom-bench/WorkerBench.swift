import BotStore
import DifyStandIn
import Foundation
import PostgresStore
import SQLiteStore
import WakeSignal
import WeComCrypto

/// Runs `wecom-worker` processes against the stand-in Dify and measures them.
final class WorkerBench {
    static let capacityChunks = 40
    static let capacityGapMillis = 50

    struct Capacity {
        var peak: Int
        var failed: Int
        var seconds: Double
        var idleKB: Int
        /// The idle worker's CPU use over one second before the jobs arrive (1.0 = one core).
        var idleCPU: Double
        /// Seconds the start-up contention lasted before the idle measurement.
        var settleSeconds: Double
        var peakKB: Int
        var cpuSeconds: Double
    }

    let worker: String
    let dir: String
    let token: String
    let key: String
    let url: String
    /// The store of the wecom-fcgi behind `url`: workers for (b) and (c) share it.
    let responder: ResponderStore
    /// A session of its own on the responder's PostgreSQL, to see when a worker listens.
    let observer: PostgresStore?
    let dify: DifyStandIn
    /// Answers the stand-in is streaming right now, and the most at once.
    let active = ActiveCount()
    /// Relay: when the stand-in wrote chunk `i` of query `q` ("q#i"), and when a poller first saw it.
    let written = Recorder<Double>()
    let seen = Recorder<Double>()
    /// Job start: when each query's chat request arrived.
    let arrived = Recorder<Double>()

    init(worker: String, dir: String, token: String, key: String, url: String, responder: ResponderStore) throws {
        self.worker = worker; self.dir = dir; self.token = token; self.key = key; self.url = url
        self.responder = responder
        if case let .postgres(connection, schema) = responder {
            observer = try PostgresStore(settings: PostgresSettings(connectionString: connection, schema: schema))
        } else {
            observer = nil
        }
        dify = try DifyStandIn()
        let (active, written, arrived) = (active, written, arrived)
        dify.setRequestScript { chat in
            let query = chat.query ?? ""
            if query.hasPrefix("start-") { arrived.set(query, monotonic()) }
            let plan = RelayPlan(query: query)
            return .custom { chat, writer in
                streamAnswer(chat, writer, active: active, chunks: plan.chunks, gap: plan.gap(before:), text: plan.text) { i in
                    if plan.timed { written.set("\(query)#\(i)", monotonic()) }
                }
            }
        }
    }

    /// A worker's environment for `store`; `name` is its PostgreSQL sessions' application name.
    func environment(store: ResponderStore, name: String) -> [String: String] {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                           "WECOM_ENV_FILE": dir + "/none.env", "WECOM_LOG_LEVEL": "warning",
                           "WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key,
                           "DIFY_API_BASE_URL": dify.apiBaseURL, "DIFY_API_KEY": dify.apiKey, "WECOM_ALLOW_PRIVATE_FETCH": "1"]
        environment.merge(store.environment(name: name)) { _, store in store }
        return environment
    }

    /// Starts a worker and waits until all its threads are up and it can be woken: its wake
    /// socket exists (SQLite), or its session `LISTEN`s (PostgreSQL).
    func startWorker(store: ResponderStore, concurrency: Int, name: String) throws -> Child {
        let child = try Child(worker, ["--concurrency", String(concurrency), "--grace", "5"],
                              environment: environment(store: store, name: name), logPath: dir + "/\(name).log")
        let wakeable: () -> Bool
        switch store {
        case let .sqlite(path):
            let socket = (path as NSString).deletingLastPathComponent + "/wake/worker-\(child.pid).sock"
            wakeable = { FileManager.default.fileExists(atPath: socket) }
        case .postgres:
            let sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(name)' AND query LIKE 'LISTEN %'"
            wakeable = { [observer] in ((try? observer?.scalarInt(sql)) ?? 0) > 0 }
        }
        let ready = wait(timeout: 60) {
            !child.process.isRunning || ((ProcStats.status(child.pid, "Threads") ?? 0) > concurrency && wakeable())
        }
        guard ready, child.process.isRunning else { throw BenchError("\(name) did not start: \(child.log)") }
        usleep(200_000)  // let every thread open its store and go idle
        return child
    }

    /// (a) `answers` jobs at once into a fresh database, one worker with `concurrency` threads.
    func capacity(answers: Int, concurrency: Int) throws -> Capacity {
        let folder = dir + "/capacity-\(answers)-\(concurrency)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let db = folder + "/bot.sqlite3"
        let store = try SQLiteStore(path: db)
        defer { store.close() }
        try store.migrate()
        let child = try startWorker(store: .sqlite(path: db), concurrency: concurrency,
                                    name: "worker-capacity-\(answers)-\(concurrency)")
        defer { child.stop() }
        // Every slot's first claims contend for the write lock at start: wait (up to 30 s) for
        // the idle CPU use to settle below a quarter of a core, then measure the idle state.
        let startedAt = monotonic()
        var idleCPU = 0.0, cpuBefore = ProcStats.cpuSeconds(child.pid)
        repeat {
            let before = cpuBefore
            usleep(1_000_000)
            cpuBefore = ProcStats.cpuSeconds(child.pid)
            idleCPU = cpuBefore - before
        } while idleCPU > 0.25 && monotonic() - startedAt < 30
        let settle = monotonic() - startedAt - 1
        let idleKB = ProcStats.status(child.pid, "VmRSS") ?? 0
        active.reset()
        let started = monotonic()
        let now = Int64(Date().timeIntervalSince1970)
        for i in 0..<answers {
            let json = Signer.text(msgID: "cap-\(i)", content: "capacity \(i)")
            _ = try store.acceptMessage(NewMessage(
                botID: "bench", aibotID: "aibBENCH", msgID: "cap-\(i)", msgType: "text", chatID: nil,
                chatType: "single", userID: "bench-\(i)", agent: nil, proposedStreamID: "s" + SecureRandom.alphanumeric(23),
                initialContent: "", responseURL: nil, payload: JobPayload.encode(message: Array(json.utf8), text: "capacity \(i)")),
                now: now)
        }
        WakeSender(directory: folder + "/wake").wakeAll()
        let finished = wait(timeout: 300) {
            (try? store.scalarInt("SELECT count(*) FROM jobs WHERE state IN ('done','dead')")) == Int64(answers)
        }
        let seconds = monotonic() - started
        guard finished else { throw BenchError("(a) \(answers) answers did not finish: \(child.log.suffix(2000))") }
        return Capacity(peak: active.peak, failed: Int(try store.scalarInt("SELECT count(*) FROM jobs WHERE state = 'dead'") ?? 0),
                        seconds: seconds, idleKB: idleKB, idleCPU: idleCPU, settleSeconds: settle, peakKB: ProcStats.status(child.pid, "VmHWM") ?? 0,
                        cpuSeconds: ProcStats.cpuSeconds(child.pid) - cpuBefore)
    }

    /// (b) `streams` messages sent through the responder at once; each answer's chunks come
    /// `gaps` apart (cycled); every stream is polled every 5 ms.
    func relay(streams: Int, gaps: [Int], chunks: Int) throws -> Samples {
        let child = try startWorker(store: responder, concurrency: 16,
                                    name: "worker-relay-\(gaps.map(String.init).joined(separator: "-"))")
        defer { child.stop() }
        let tag = SecureRandom.alphanumeric(6)
        let queries = (0..<streams).map { RelayPlan.query(tag: "\(tag)\($0)", gaps: gaps, chunks: chunks) }
        let errors = Recorder<String>()
        let group = DispatchGroup()
        for query in queries {
            group.enter()
            let (token, key, url, seen) = (token, key, url, seen)
            Thread {
                defer { group.leave() }
                do {
                    try Poller(token: token, key: key, url: url).follow(query: query, chunks: chunks, seen: seen)
                } catch {
                    errors.set(query, "\(error)")
                }
            }.start()
        }
        group.wait()
        if let query = queries.first(where: { errors.get($0) != nil }) { throw BenchError("(b) \(errors.get(query)!)") }
        var samples = Samples()
        for query in queries {
            for i in 0..<chunks {
                guard let w = written.get("\(query)#\(i)"), let s = seen.get("\(query)#\(i)") else {
                    throw BenchError("(b) chunk \(i) of \(query) was never seen")
                }
                samples.add(s - w)
            }
        }
        return samples
    }

    /// (c) Messages one at a time through the responder; the worker is idle before each.
    func jobStart(count: Int) throws -> Samples {
        let child = try startWorker(store: responder, concurrency: 16, name: "worker-start")
        defer { child.stop() }
        let poller = try Poller(token: token, key: key, url: url)
        let tag = SecureRandom.alphanumeric(6)
        var samples = Samples()
        for j in 0..<count {
            let query = "start-\(tag)-\(j)"
            _ = try poller.send(query: query)
            let returned = monotonic()
            guard wait(timeout: 10, { arrived.get(query) != nil }), let arrival = arrived.get(query) else {
                throw BenchError("(c) the job for \(query) never reached the stand-in: \(child.log.suffix(2000))")
            }
            samples.add(arrival - returned)
            usleep(100_000)  // the answer finishes; every worker thread is idle again
        }
        return samples
    }
}

/// How the stand-in streams an answer, encoded in the user's text so the script can read it:
/// `relay-<tag>-<gap,gap…>-<chunks>` is a timed answer; anything else a short one.
struct RelayPlan {
    var timed = false
    var chunks = 3
    var gaps = [1]

    static func query(tag: String, gaps: [Int], chunks: Int) -> String {
        "relay-\(tag)-\(gaps.map(String.init).joined(separator: ","))-\(chunks)"
    }

    init(query: String) {
        if query.hasPrefix("capacity ") {
            chunks = WorkerBench.capacityChunks
            gaps = [WorkerBench.capacityGapMillis]
            return
        }
        let parts = query.split(separator: "-")
        guard parts.count == 4, parts[0] == "relay", let n = Int(parts[3]) else { return }
        let parsed = parts[2].split(separator: ",").compactMap { Int($0) }
        guard !parsed.isEmpty else { return }
        timed = true
        chunks = n
        gaps = parsed
    }

    func gap(before i: Int) -> Int { gaps[(i - 1) % gaps.count] }
    func text(_ i: Int) -> String { "⟦\(i)⟧这是第 \(i) 段。" }
}

/// A WeCom client polling through nginx on one kept-alive connection.
final class Poller {
    let signer: Signer
    let connection: RawHTTPConnection

    init(token: String, key: String, url: String) throws {
        let (port, path) = try RawHTTPClient.split(url)
        signer = try Signer(token: token, key: key, botID: String(path.split(separator: "/").last ?? "bench"), path: path)
        connection = try RawHTTPConnection(port: port)
    }

    /// Sends a text message; returns its stream id.
    func send(query: String) throws -> String {
        let reply = try exchange(Signer.text(msgID: "m-" + SecureRandom.alphanumeric(16), content: query))
        guard let id = (reply["stream"] as? [String: Any])?["id"] as? String else { throw BenchError("no stream id in \(reply)") }
        return id
    }

    /// Sends `query` and polls its stream every 5 ms until it finishes, noting when each
    /// chunk's marker first appears.
    func follow(query: String, chunks: Int, seen: Recorder<Double>) throws {
        let id = try send(query: query)
        var pending = Set(0..<chunks)
        let deadline = monotonic() + 60
        while monotonic() < deadline {
            let (reply, at) = try exchangeTimed(Signer.refresh(streamID: id))
            let stream = reply["stream"] as? [String: Any] ?? [:]
            let content = stream["content"] as? String ?? ""
            for i in pending where content.contains("⟦\(i)⟧") {
                seen.set("\(query)#\(i)", at)
                pending.remove(i)
            }
            if stream["finish"] as? Bool == true { return }
            usleep(5_000)
        }
        throw BenchError("stream \(id) did not finish")
    }

    private func exchange(_ json: String) throws -> [String: Any] { try exchangeTimed(json).reply }

    private func exchangeTimed(_ json: String) throws -> (reply: [String: Any], at: Double) {
        let (target, body) = try signer.post(json)
        let response = try connection.roundTrip(method: "POST", target: target, headers: ["Content-Type": "application/json"],
                                                body: Data(body.utf8))
        let at = monotonic()
        guard response.status == 200 else { throw BenchError("HTTP \(response.status): \(response.text)") }
        return (try signer.open(response.body), at)
    }
}

/// Streams an answer of `chunks` chunks as the stand-in Dify, `gap(i)` milliseconds before chunk
/// `i`, calling `written(i)` as soon as chunk `i` is out; counted in `active` meanwhile.
func streamAnswer(_ chat: RecordedChatRequest, _ writer: HTTPResponseWriter, active: ActiveCount, chunks: Int,
                  gap: (Int) -> Int, text: (Int) -> String, written: (Int) -> Void) {
    active.change(+1)
    defer { active.change(-1) }
    let stream = DifyEventStream(writer: writer, chat: chat, splitWrites: false, splitPauseMicros: 0)
    guard stream.start() else { return }
    for i in 0..<chunks {
        if i > 0 { usleep(useconds_t(gap(i) * 1000)) }
        guard stream.message(text(i)) else { return }
        written(i)
    }
    stream.messageEnd()
    stream.finish()
}

/// A counter of answers in progress and its maximum.
final class ActiveCount: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var current = 0
    private var maximum = 0
    func change(_ delta: Int) { lock.lock(); current += delta; maximum = max(maximum, current); lock.unlock() }
    func reset() { lock.lock(); current = 0; maximum = 0; lock.unlock() }
    var peak: Int { lock.lock(); defer { lock.unlock() }; return maximum }
}
