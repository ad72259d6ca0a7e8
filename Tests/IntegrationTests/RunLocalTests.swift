import Foundation
import Testing

/// Issue 5's end-to-end check: the stack started exactly as `make run` starts it (the same
/// script, on a free port and its own folder), answered through `wecomctl simulate` by the
/// built-in echo agent, then stopped the way Ctrl-C stops it.
@Suite(.serialized) struct RunLocalTests {
    @Test func runScriptServesAndSimulateSeesTheEchoAnswer() throws {
        let scratch = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let port = try freePort()
        // wecom-fcgi's, then the worker's and wecom-ws's on the next two ports.
        let metricsPort = try freePort()
        let script = TestPaths.packageRoot + "/scripts/run-local.sh"
        let run = try ChildProcess(
            name: "run-local", executable: "/bin/bash", arguments: [script],
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "WECOM_HTTP_PORT": String(port), "WECOM_RUN_DIR": scratch + "/var",
                "WECOM_BIN_DIR": TestPaths.binaries, "WECOM_ENV_FILE": scratch + "/no.env",
                "WECOM_METRICS_PORT": String(metricsPort),
            ],
            directory: scratch, logPath: scratch + "/run-local.log")
        defer { run.stop(signal: SIGINT) }
        try waitUntil(timeout: 20, "make run to serve on \(port)") {
            !run.isRunning || (run.log.contains("run-local: serving") && portAccepts(port))
        }
        guard run.isRunning else { throw FixtureError("run-local exited: \(run.log)") }
        #expect(run.log.contains("built-in echo agent"))

        let ctl = WecomctlRunner(directory: scratch, database: scratch + "/var/wecom-bot.sqlite3")
        let result = try ctl.run("simulate", "http://127.0.0.1:\(port)/wecom/callback/local", "--text", "你好", "--interval", "0.2")
        #expect(result.status == 0, "\(result.stderr)\n\(run.log)")
        #expect(result.stdout == "echo: 你好\n")

        // Each process's metrics and health, as the script printed them.
        #expect(run.log.contains("curl 127.0.0.1:\(metricsPort)/metrics"))
        let scrape = try HTTPClient.request(port: metricsPort, method: "GET", target: "/metrics")
        #expect(try ResponderMetricsTests.samples(scrape.text)[#"wecom_callbacks_total{kind="message",status="200"}"#] == 1)
        try waitUntil("the worker's count of the answered job") {
            let text = (try? HTTPClient.request(port: metricsPort + 1, method: "GET", target: "/metrics"))?.text ?? ""
            return (try? ResponderMetricsTests.samples(text))?[#"wecom_jobs_finished_total{outcome="answered"}"#] == 1
        }
        try waitUntil("wecom-ws's metrics listener") {
            (try? HTTPClient.request(port: metricsPort + 2, method: "GET", target: "/metrics"))?.text
                .contains("wecom_ws_bots{state=\"held\"} 0") == true
        }
        for offset in 0...2 {
            #expect(try HTTPClient.request(port: metricsPort + offset, method: "GET", target: "/healthz").status == 200)
        }

        #expect(run.stop(signal: SIGINT) == 0 || !run.isRunning)
        try waitUntil("everything stopped") { !portAccepts(port) }
        #expect(run.log.contains("run-local: stopping"))
    }
}
