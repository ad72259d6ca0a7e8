import Foundation
import Testing
import WeComCrypto

/// The responder as a process: its log line per request, and a clean drain on SIGTERM.
@Suite(.serialized) struct ResponderLifecycleTests {
    /// One `wecom-fcgi` master behind nginx with its own random bot credentials, and a simulated
    /// WeCom that holds them.
    static func responder(processes: Int, threads: Int? = nil) throws -> (ResponderStack, WeComSimulator) {
        let token = "tok" + SecureRandom.alphanumeric(12), key = EncodingAESKeyGenerator.make()
        let stack = try ResponderStack(instances: 1, processes: processes, threads: threads,
                                       environment: ["WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key])
        return (stack, try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key))
    }

    @Test func oneLogLinePerRequestWithItsFieldsAndNoSecrets() throws {
        let (stack, wecom) = try Self.responder(processes: 1)
        let token = wecom.token, key = wecom.key
        defer { stack.stop() }
        let streamID = try wecom.send(WeComSimulator.text(msgID: "log-1", content: "hi"))
        try waitUntil("the request log line") { stack.logs.contains("stream=\(streamID)") }
        let line = try #require(stack.logs.split(separator: "\n").first { $0.contains("stream=\(streamID)") })
        #expect(line.contains("POST /wecom/callback/aibTEST 200"))
        #expect(line.contains("botid=aibTEST"))
        #expect(line.contains("msgtype=text"))
        #expect(line.contains("msgid=log-1"))
        #expect(line.contains("fcgi.duration_us="))
        #expect(!stack.logs.contains(token) && !stack.logs.contains(key))
        #expect(!stack.logs.contains("msg_signature"), "the query string carries signatures and is never logged")
    }

    /// Without `--threads`, four processes on this machine's cores get about four serving threads
    /// per core in all (2…4 each), and the start line says how many; `--threads` still wins.
    @Test func theDefaultThreadCountFollowsProcessesAndCores() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let expected = min(4, max(2, (4 * cores + 3) / 4))
        let stack = try ResponderStack(instances: 1, processes: 4)
        defer { stack.stop() }
        try waitUntil("the start line") { stack.logs.contains("wecom-fcgi serving") }
        #expect(stack.logs.contains("threads=\(expected) "), "\(cores) cores: \(stack.logs.prefix(600))")
        let named = try ResponderStack(instances: 1, processes: 4, threads: 3)
        defer { named.stop() }
        try waitUntil("the start line") { named.logs.contains("wecom-fcgi serving") }
        #expect(named.logs.contains("threads=3 "))
    }

    @Test func sigtermDrainsAndExitsCleanly() throws {
        let stack = try ResponderStack(instances: 1, processes: 2)
        defer { stack.stop() }
        let master = try #require(stack.responders.first)
        let socket = stack.scratch + "/fcgi-0.sock"
        #expect(FileManager.default.fileExists(atPath: socket))
        #expect(master.stop(signal: SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: socket), "the master removes its own socket")
    }

    /// One process with four serving threads: requests are served by several threads (each log
    /// line names its thread), every message is stored once, nginx logs no upstream error, and
    /// at SIGTERM the process logs how many transactions its new messages took.
    @Test func serveThreadsOfOneProcessAnswerEveryMessageOnce() throws {
        let (stack, wecom) = try Self.responder(processes: 1, threads: 4)
        defer { stack.stop() }
        let count = 60
        let ids = try Parallel.map(count, width: 12) { i in
            try wecom.send(WeComSimulator.text(msgID: "threads-\(i)", content: "问题\(i)"))
        }.map { try $0.get() }
        #expect(Set(ids).count == count)
        #expect(try stack.sqlite("SELECT count(*) FROM messages WHERE msgid LIKE 'threads-%'") == "\(count)")
        #expect(try stack.sqlite("SELECT count(*) FROM jobs") == "\(count)")
        try waitUntil("a log line per message") { stack.logs.components(separatedBy: "msgtype=text").count - 1 == count }
        let threads = Set(stack.logs.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("fcgi.thread=") }
        })
        #expect(threads.count >= 2, "served by \(threads)")
        #expect(stack.nginx.errorLines.isEmpty, "connections closed at once must not reset: \(stack.nginx.errorLines)")

        let master = try #require(stack.responders.first)
        #expect(master.stop(signal: SIGTERM) == 0)
        let summary = try #require(master.log.split(separator: "\n").first { $0.contains("group commit") })
        #expect(summary.contains("messages=\(count)"))
        let transactions = summary.split(separator: " ").first { $0.hasPrefix("transactions=") }
            .flatMap { Int($0.dropFirst("transactions=".count)) }
        #expect((1...count).contains(transactions ?? 0), "\(summary)")
    }

    /// A lock file that cannot be opened (here a directory in its place) stops the start with
    /// a one-line reason naming the file and the configuration exit code, instead of serving
    /// without turns.
    @Test func anUnusableAcceptLockStopsTheStartWithItsPath() throws {
        let scratch = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let database = scratch + "/bot.sqlite3"
        try FileManager.default.createDirectory(atPath: database + "-accept.lock", withIntermediateDirectories: false)
        let responder = try ChildProcess(
            name: "wecom-fcgi", executable: try TestPaths.binary("wecom-fcgi"),
            arguments: ["--socket", "unix:" + scratch + "/fcgi.sock", "--processes", "1", "--threads", "2"],
            environment: ["WECOM_DB_PATH": database, "WECOM_ENV_FILE": scratch + "/no.env",
                          "WECOM_TOKEN": "t", "WECOM_ENCODING_AES_KEY": EncodingAESKeyGenerator.make()],
            directory: scratch, logPath: scratch + "/wecom-fcgi.log")
        defer { responder.stop(signal: SIGKILL) }
        try waitUntil("wecom-fcgi gives up") { !responder.isRunning }
        #expect(responder.process.terminationStatus == 78)
        let reason = try #require(responder.log.split(separator: "\n").first { $0.contains("cannot build the application") })
        #expect(reason.contains(database + "-accept.lock"))
    }

    /// SIGTERM while every thread of two pre-forked processes is busy: each thread finishes its
    /// request and stops, nothing has to be killed, and the master exits 0.
    @Test func sigtermUnderLoadStopsEveryThreadOfEveryProcess() throws {
        let (stack, wecom) = try Self.responder(processes: 2, threads: 4)
        defer { stack.stop() }
        let load = LoadUntilStopped()
        load.start(width: 8) { worker, i in
            _ = try wecom.send(WeComSimulator.text(msgID: "load-\(worker)-\(i)", content: "问题"))
        }
        try waitUntil("200 messages answered while loaded") { load.succeeded >= 200 }
        let master = try #require(stack.responders.first)
        let status = master.stop(signal: SIGTERM)
        load.stop()
        #expect(status == 0)
        #expect(!master.log.contains("did not stop"))
        #expect(!master.log.contains("killed by signal"))
        #expect(master.log.components(separatedBy: "stopped after the last request").count - 1 == 2)
    }
}

/// Keeps `width` threads sending requests until `stop()`, counting those that succeeded.
/// Requests around a stop may fail (nginx answers 502 once the socket is gone); only the
/// successes are counted.
final class LoadUntilStopped: @unchecked Sendable {
    // @unchecked: `stopping` and `ok` are guarded by `lock`.
    private let lock = NSLock()
    private var stopping = false
    private var ok = 0
    private let group = DispatchGroup()

    var succeeded: Int { lock.withLock { ok } }

    func start(width: Int, _ body: @escaping @Sendable (_ worker: Int, _ i: Int) throws -> Void) {
        for worker in 0..<width {
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                var i = 0
                while !lock.withLock({ stopping }) {
                    if (try? body(worker, i)) != nil { lock.withLock { ok += 1 } }
                    i += 1
                }
            }.start()
        }
    }

    func stop() {
        lock.withLock { stopping = true }
        group.wait()
    }
}
