import DifyStandIn
import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// Issue 19: `wecom-worker --metrics ADDR`. One scrape after a known run of jobs shows exactly
/// those jobs, and the queue as the store holds it.
@Suite(.serialized) struct WorkerMetricsTests {
    /// A stack whose one worker serves metrics, and the port it logged (it was asked for port 0).
    private func start(backend: Backend) throws -> (AnswerStack, Int) {
        let s = try AnswerStack(workers: 0, environment: ["WECOM_JOB_MAX_ATTEMPTS": "2"], backend: backend)
        let worker = try s.stack.startWorker(arguments: ["--metrics", "127.0.0.1:0"])
        return (s, try ResponderMetricsTests.metricsPort { worker.log })
    }

    @Test(arguments: Backend.allCases) func oneScrapeShowsTheJobsRunAndTheQueue(_ backend: Backend) throws {
        let (s, port) = try start(backend: backend)
        defer { s.stop() }
        let answered = 3
        s.dify.defaultScript = .answer(text: "好的")
        for i in 0..<answered {
            _ = try s.wecom.final(streamID: try s.wecom.send(WeComSimulator.text(msgID: "m-\(i)", content: "问题 \(i)")))
        }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<3000).map { UInt8($0 % 251) }
        let url = s.dify.serve(path: "/cos/image-1", bytes: Data(try s.wecom.crypto.encryptMedia(png)),
                               contentType: "application/octet-stream")
        #expect(try s.wecom.final(streamID: try s.wecom.send(WeComSimulator.image(msgID: "img", url: url)))["content"]
            as? String == "好的")
        // HTTP 500: retried once, then dead (WECOM_JOB_MAX_ATTEMPTS 2).
        s.dify.defaultScript = .internalServerError
        let failing = try s.wecom.send(WeComSimulator.text(msgID: "f-500", content: "问"))
        _ = try s.wecom.final(streamID: failing, timeout: 30)
        try waitUntil("the dead job's row") { (try? s.job(stream: failing))?.hasPrefix("dead|2|") == true }

        let scrape = try HTTPClient.request(port: port, method: "GET", target: "/metrics")
        #expect(scrape.status == 200)
        let samples = try ResponderMetricsTests.samples(scrape.text)
        let started = answered + 1 + 2
        #expect(samples["wecom_jobs_started_total"] == Double(started))
        #expect(samples[#"wecom_jobs_finished_total{outcome="answered"}"#] == Double(answered + 1))
        #expect(samples[#"wecom_jobs_finished_total{outcome="failed"}"#] == 1)
        #expect(samples[#"wecom_jobs_finished_total{outcome="dead"}"#] == 1)
        #expect(samples[#"wecom_jobs_finished_total{outcome="released"}"#] == 0)
        #expect(samples[#"wecom_jobs_finished_total{outcome="lease_lost"}"#] == 0)
        #expect(samples[#"wecom_dify_errors_total{kind="http_5xx"}"#] == 2)
        #expect(samples.filter { $0.key.hasPrefix("wecom_dify_errors_total{") }.values.reduce(0, +) == 2)
        #expect(samples[#"wecom_media_downloads_total{result="ok"}"#] == 1)
        #expect(samples[#"wecom_media_downloads_total{result="failed"}"#] == 0)
        #expect(samples.filter { $0.key.hasPrefix("wecom_answer_fallbacks_total{") }.values.reduce(0, +) == 0)
        for (family, count) in [("wecom_job_wait_seconds", started), ("wecom_answer_duration_seconds", started),
                                ("wecom_time_to_first_token_seconds", answered + 1)] {
            let ordered = samples.filter { $0.key.hasPrefix(family + "_bucket{") }
                .sorted { ResponderMetricsTests.bound($0.key) < ResponderMetricsTests.bound($1.key) }.map(\.value)
            #expect(ordered.count > 1, "\(family)")
            #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0 <= $1 }, "\(family): \(ordered)")
            #expect(ordered.last == Double(count), "\(family)")
            #expect(samples[family + "_count"] == Double(count), "\(family)")
            #expect((samples[family + "_sum"] ?? -1) >= 0, "\(family)")
        }
        #expect(samples[#"wecom_worker_slots{state="busy"}"#] == 0)
        #expect(samples[#"wecom_worker_slots{state="free"}"#] == 4)
        // The queue gauges against the store, read the same way an operator would.
        for state in ["queued", "running", "done", "dead"] {
            let stored = try s.stack.sql("SELECT count(*) FROM jobs WHERE state = '\(state)'")
            #expect(samples[#"wecom_queue_jobs{state="\#(state)"}"#] == Double(stored), "\(state)")
        }
        #expect(samples[#"wecom_queue_jobs{state="done"}"#] == Double(answered + 1))
        #expect(samples[#"wecom_queue_jobs{state="dead"}"#] == 1)
        #expect(samples["wecom_queue_oldest_job_age_seconds"] == 0)
        let open = try s.stack.sql("SELECT count(*) FROM streams WHERE state IN ('pending', 'streaming')")
        #expect(samples["wecom_open_streams"] == Double(open))
        #expect(samples["wecom_workers_live"] == 1)
        try ResponderMetricsTests.promtoolAccepts(scrape.text)

        let health = try HTTPClient.request(port: port, method: "GET", target: "/healthz")
        #expect(health.status == 200)
        #expect(health.text == "ok\n")
    }

    /// The database file moved away: `/healthz` says why with 503, and 200 again once it is back.
    @Test func healthTurns503WhileTheStoreIsGoneAnd200WhenItIsBack() throws {
        let (s, port) = try start(backend: .sqlite)
        defer { s.stop() }
        // 503 until the claim loop runs (just after the worker starts listening for jobs).
        try waitUntil("200 from /healthz at the start") {
            (try? HTTPClient.request(port: port, method: "GET", target: "/healthz"))?.status == 200
        }
        let away = s.stack.databasePath + ".away"
        try FileManager.default.moveItem(atPath: s.stack.databasePath, toPath: away)
        var down: HTTPResponse?
        try waitUntil("503 from /healthz") {
            down = try? HTTPClient.request(port: port, method: "GET", target: "/healthz")
            return down?.status == 503
        }
        #expect(down?.text.hasPrefix("store unavailable: no database at /") == true, "\(down?.text ?? "")")
        // Without the store, a scrape still answers, without the queue's families.
        let scrape = try HTTPClient.request(port: port, method: "GET", target: "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.text.contains("wecom_jobs_started_total 0"))
        #expect(!scrape.text.contains("wecom_queue_jobs"))
        try FileManager.default.moveItem(atPath: away, toPath: s.stack.databasePath)
        try waitUntil("200 from /healthz") {
            (try? HTTPClient.request(port: port, method: "GET", target: "/healthz"))?.status == 200
        }
    }

    /// On PostgreSQL: an operator's `LOCK TABLE jobs` in `psql` holds every read of the queue;
    /// the worker's health read gives up as a responder's does and says why with 503.
    @Test func healthTurns503WhileAnOperatorLocksTheJobsOnPostgreSQL() throws {
        let (s, port) = try start(backend: .postgres)
        defer { s.stop() }
        try HealthProbe.expectHealthFollowsALockedTable(port: port, database: s.stack.database, scratch: s.stack.scratch,
                                                        table: "jobs")
    }
}
