import FastCGITestClient
import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// Issue 19: `wecom-fcgi --processes 2 --metrics ADDR` behind the real nginx. The pre-fork master
/// serves the listener, and its one scrape totals what both serving processes counted.
@Suite(.serialized) struct ResponderMetricsTests {
    let token = "tok" + SecureRandom.alphanumeric(12)
    let key = EncodingAESKeyGenerator.make()

    /// The stack and the metrics address the master logged (it was asked for port 0).
    private func start(backend: Backend = .sqlite) throws -> (ResponderStack, WeComSimulator, Int) {
        let stack = try ResponderStack(instances: 1, processes: 2, environment: ["WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key],
                                       backend: backend, arguments: ["--metrics", "127.0.0.1:0"])
        let port = try Self.metricsPort { stack.logs }
        return (stack, try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key), port)
    }

    /// The port of the metrics listener, from its log line (it was asked for port 0).
    static func metricsPort(log: () -> String) throws -> Int {
        var port: Int?
        try waitUntil("the metrics listener's log line") {
            guard let line = log().split(separator: "\n").first(where: { $0.contains("metrics listening") }),
                  let found = line.range(of: "127.0.0.1:") else { return false }
            port = Int(line[found.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return port ?? 0
    }

    @Test func oneScrapeTotalsBothServingProcesses() throws {
        let (stack, wecom, port) = try start()
        defer { stack.stop() }
        let (messages, refreshes, badSignatures) = (7, 5, 3)
        var streams: [String] = []
        for i in 0..<messages { streams.append(try wecom.send(WeComSimulator.text(msgID: "m-\(i)", content: "问题 \(i)"))) }
        for i in 0..<refreshes { _ = try wecom.postAndOpen(WeComSimulator.refresh(streamID: streams[i % streams.count])) }
        for _ in 0..<badSignatures {
            let (target, body) = try wecom.signedPost(WeComSimulator.text(msgID: "forged", content: "x"))
            let response = try HTTPClient.request(port: stack.port, method: "POST",
                                                  target: target.replacingOccurrences(of: "msg_signature=", with: "msg_signature=0"),
                                                  body: body)
            #expect(response.status == 403)
        }
        #expect(try HTTPClient.request(port: stack.port, method: "PUT", target: "/wecom/callback/aibTEST").status == 405)
        #expect(try wecom.verify().0.status == 200)
        // Refused by the FastCGI server before the handler sees them (nginx would not send
        // these): counted as callbacks of unknown kind all the same.
        for (declared, status) in [("12abc", 400), (String(Int.max), 413)] {
            let params = FastCGITestClient.nginxParams(method: "POST", scriptName: "/wecom/callback", pathInfo: "/aibTEST",
                                                       contentLength: declared)
            #expect(try FastCGITestClient.send(to: stack.scratch + "/fcgi-0.sock", params: params, stdin: Array("{}".utf8)).status
                    == status)
        }

        let scrape = try HTTPClient.request(port: port, method: "GET", target: "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.headers.first { $0.key.lowercased() == "content-type" }?.value == "text/plain; version=0.0.4; charset=utf-8")
        let samples = try Self.samples(scrape.text)
        #expect(samples[#"wecom_callbacks_total{kind="message",status="200"}"#] == Double(messages))
        #expect(samples[#"wecom_callbacks_total{kind="refresh",status="200"}"#] == Double(refreshes))
        #expect(samples[#"wecom_callbacks_total{kind="verify",status="200"}"#] == 1)
        #expect(samples[#"wecom_callbacks_total{kind="unknown",status="403"}"#] == Double(badSignatures))
        #expect(samples[#"wecom_callbacks_total{kind="unknown",status="405"}"#] == 1)
        #expect(samples[#"wecom_callbacks_total{kind="unknown",status="400"}"#] == 1)
        #expect(samples[#"wecom_callbacks_total{kind="unknown",status="413"}"#] == 1)
        let callbacks = samples.filter { $0.key.hasPrefix("wecom_callbacks_total{") }.values.reduce(0, +)
        #expect(callbacks == Double(messages + refreshes + badSignatures + 4))
        #expect(samples[#"wecom_callback_rejections_total{reason="signature"}"#] == Double(badSignatures))
        #expect(samples[#"wecom_callback_rejections_total{reason="method"}"#] == 1)
        #expect(samples[#"wecom_callback_rejections_total{reason="malformed"}"#] == 1)
        #expect(samples[#"wecom_callback_rejections_total{reason="too_large"}"#] == 1)
        #expect(samples.filter { $0.key.hasPrefix("wecom_callback_rejections_total{") }.values.reduce(0, +) == Double(badSignatures + 3))
        #expect(samples["wecom_store_errors_total"] == 0)
        #expect(samples["wecom_responder_processes"] == 2)

        // Each kind's histogram: buckets cumulative, +Inf = _count = the callbacks of that kind.
        for (kind, count) in [("message", messages), ("refresh", refreshes), ("verify", 1), ("unknown", badSignatures + 3), ("event", 0)] {
            let buckets = samples.filter { $0.key.hasPrefix(#"wecom_callback_duration_seconds_bucket{kind="\#(kind)","#) }
            let ordered = buckets.sorted { Self.bound($0.key) < Self.bound($1.key) }.map(\.value)
            #expect(ordered.count == 13, "\(kind)")
            #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0 <= $1 }, "\(kind): \(ordered)")
            #expect(ordered.last == Double(count), "\(kind)")
            #expect(samples[#"wecom_callback_duration_seconds_count{kind="\#(kind)"}"#] == Double(count))
            let sum = samples[#"wecom_callback_duration_seconds_sum{kind="\#(kind)"}"#] ?? -1
            #expect(count == 0 ? sum == 0 : (sum > 0 && sum < Double(count) * 10), "\(kind): \(sum)")
        }
        try Self.promtoolAccepts(scrape.text)
        #expect(try HTTPClient.request(port: port, method: "GET", target: "/nothing").status == 404)
        // nginx's public side has neither.
        #expect(try HTTPClient.request(port: stack.port, method: "GET", target: "/metrics").status == 404)
        #expect(try HTTPClient.request(port: stack.port, method: "GET", target: "/healthz").status == 404)
    }

    /// The database file moved away (as a lost volume or an operator's `mv` would): `/healthz`
    /// says why with 503, and 200 again once it is back.
    @Test func healthTurns503WhileTheStoreIsGoneAnd200WhenItIsBack() throws {
        let (stack, _, port) = try start()
        defer { stack.stop() }
        try HealthProbe.expectHealthFollowsTheDatabaseFile(port: port, databasePath: stack.databasePath)
    }

    /// On PostgreSQL: an operator's `LOCK TABLE` in `psql` makes every read of the store wait;
    /// `/healthz` gives up as a responder does and says why with 503, and 200 after `ROLLBACK`.
    @Test func healthTurns503WhileAnOperatorLocksTheStoreOnPostgreSQL() throws {
        let (stack, _, port) = try start(backend: .postgres)
        defer { stack.stop() }
        try HealthProbe.expectHealthFollowsALockedTable(port: port, database: stack.database, scratch: stack.scratch)
    }

    /// `name{labels}` → value for every sample line.
    static func samples(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw FixtureError("not a sample line: \(line)")
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    static func bound(_ key: String) -> Double {
        guard let range = key.range(of: #"le=""#) else { return .infinity }
        return Double(key[range.upperBound...].prefix { $0 != "\"" }) ?? .infinity
    }

    /// `promtool check metrics` on the scrape: the format and its lint rules (units, `_total`).
    static func promtoolAccepts(_ text: String) throws {
        guard let promtool = which("promtool") else {
            throw FixtureError("promtool is not installed (Debian package prometheus: make deps)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(said)")
    }
}
