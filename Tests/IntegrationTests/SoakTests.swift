import DifyStandIn
import Foundation
import Testing
import WeComCrypto

/// `make soak` (scripts/soak.sh): the whole stack — nginx, 2 `wecom-fcgi` masters × 2 children,
/// 2 workers, a flaky stand-in Dify — under mixed traffic for WECOM_SOAK_MINUTES, with a worker
/// SIGKILLed every WECOM_SOAK_KILL_EVERY seconds (default 30). Loopback only. Prints the report
/// (also written to .build/soak-report.txt) and fails if a message was lost or duplicated.
/// Skipped unless WECOM_SOAK_MINUTES is set, so never part of `make test`.
@Suite struct SoakTests {
    static let environment = ProcessInfo.processInfo.environment
    static let minutes = environment["WECOM_SOAK_MINUTES"].flatMap(Double.init)

    @Test(.enabled(if: minutes != nil, "set WECOM_SOAK_MINUTES (make soak)"))
    func soak() throws {
        let duration = (Self.minutes ?? 0) * 60
        let killEvery = Self.environment["WECOM_SOAK_KILL_EVERY"].flatMap(Double.init) ?? 30
        let s = try AnswerStack(workers: 0, instances: 2, processes: 2, environment: [
            "WECOM_JOB_LEASE": "3", "WECOM_STREAM_DEADLINE": "12", "WECOM_STREAM_FLUSH_INTERVAL": "0.1",
        ])
        defer { s.stop() }
        let attempts = SoakAttempts()
        s.dify.setRequestScript { request in
            let n = Int((request.query ?? "").dropFirst("soak-".count)) ?? 0
            return SoakKind.of(n).script(n, attempt: attempts.next(n))
        }
        var workers = [try s.stack.startWorker(concurrency: 8), try s.stack.startWorker(concurrency: 8)]
        let ledger = SoakLedger(), numbers = Counter()
        let started = Date(), end = started.addingTimeInterval(duration)
        let users = DispatchGroup(), wecom = s.wecom, dify = s.dify
        for user in 0..<8 {
            users.enter()
            Thread {
                defer { users.leave() }
                while Date() < end { Self.converse(numbers.increment(), user: user, wecom: wecom, dify: dify, ledger: ledger) }
            }.start()
        }
        // This thread is the soak's clock: samples every 15 s, a worker kill every `killEvery` s.
        var samples = [SoakSample.take(s, at: 0)]
        var kills = 0
        var nextSample = started.addingTimeInterval(15), nextKill = started.addingTimeInterval(killEvery)
        while Date() < end {
            if Date() >= nextSample {
                samples.append(SoakSample.take(s, at: Date().timeIntervalSince(started)))
                nextSample += 15
            }
            if Date() >= nextKill {
                let victim = kills % workers.count
                kill(workers[victim].pid, SIGKILL)
                try waitUntil("killed worker gone") { !workers[victim].isRunning }
                workers[victim] = try s.stack.startWorker(concurrency: 8)
                kills += 1
                nextKill += killEvery
            }
            usleep(100_000)
        }
        users.wait()
        let settled = (try? s.stack.waitForSQL("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')",
                                                toBe: "0", timeout: 120)) != nil
        samples.append(SoakSample.take(s, at: Date().timeIntervalSince(started)))
        let report = try SoakReport(stack: s, ledger: ledger, samples: samples, kills: kills, settled: settled,
                                    seconds: Date().timeIntervalSince(started))
        let text = report.text
        print(text)
        try? text.write(toFile: TestPaths.packageRoot + "/.build/soak-report.txt", atomically: true, encoding: .utf8)
        #expect(report.lost == 0, "lost messages")
        #expect(report.duplicated == 0, "duplicated answers")
    }

    /// One user message like WeCom sends it: the callback, sometimes a redelivery, then a
    /// refresh every second until the final frame (at most 90 s).
    static func converse(_ n: Int, user: Int, wecom: WeComSimulator, dify: DifyStandIn, ledger: SoakLedger) {
        let json = WeComSimulator.text(msgID: "soak-\(n)", content: "soak-\(n)", responseURL: dify.responseURL(code: "SOAK-\(n)"),
                                       userID: "user\(user)")
        guard let id = post(json, wecom, ledger) else { return }
        ledger.record(n, streamID: id)
        if n % 5 == 0 {
            ledger.duplicate()
            if let again = post(json, wecom, ledger), again != id { ledger.problem("redelivery got another stream id") }
        }
        let giveUp = Date().addingTimeInterval(90)
        while Date() < giveUp {
            sleep(1)
            guard let frame = try? refresh(id, wecom, ledger) else { continue }
            if frame["finish"] as? Bool == true {
                ledger.finish(n, content: frame["content"] as? String ?? "")
                return
            }
        }
        ledger.problem("stream still open after 90 s")
    }

    static func post(_ json: String, _ wecom: WeComSimulator, _ ledger: SoakLedger) -> String? {
        ledger.request()
        guard let response = try? wecom.post(json) else { ledger.problem("message: no HTTP response"); return nil }
        guard response.status == 200 else { ledger.problem("message: HTTP \(response.status)"); return nil }
        return (try? wecom.open(response.body))?.stream["id"] as? String
    }

    static func refresh(_ id: String, _ wecom: WeComSimulator, _ ledger: SoakLedger) throws -> [String: Any] {
        ledger.request(refresh: true)
        let response = try wecom.post(WeComSimulator.refresh(streamID: id))
        guard response.status == 200 else {
            ledger.problem("refresh: HTTP \(response.status)")
            throw FixtureError("refresh \(response.status)")
        }
        return try wecom.open(response.body).stream
    }
}
