import DifyStandIn
import Foundation
import Testing
import WeComCrypto

extension WecomctlTests {
    /// `wecomctl` against running services: nginx, `wecom-fcgi`, `wecom-worker` and the stand-in Dify.
    @Suite(.serialized) struct Services {
        /// Waits until `running` printed exactly `expected`, or exited.
        func waitForOutput(_ running: WecomctlRunner.Running, _ expected: String) throws {
            try waitUntil(timeout: 30, "simulate to print \(expected)") {
                running.stdout == expected || !running.process.isRunning
            }
            #expect(running.stdout == expected)
        }

        @Test func printsTheAnswerAsItGrowsAndExitsZeroOnFinish() throws {
            let s = try AnswerStack()
            defer { s.stop() }
            let gate = Gate()
            let chunks = ["春眠不觉晓，", "处处闻啼鸟。", "夜来风雨声，花落知多少。"]
            s.dify.defaultScript = .gated(chunks: chunks, gate: gate)
            let ctl = WecomctlRunner(directory: s.stack.scratch, database: s.stack.databasePath, extra: s.stack.environment)
            let url = "http://127.0.0.1:\(s.stack.port)/wecom/callback/aibTEST"
            let running = try ctl.start(["simulate", url, "--text", "背一首诗", "--interval", "0.05", "--timeout", "60"])

            #expect(gate.waitForWaiters(1, timeout: 30))
            gate.open(1)
            try waitForOutput(running, chunks[0])
            gate.open(1)
            try waitForOutput(running, chunks[0] + chunks[1])
            gate.openAll()
            let result = running.wait()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == chunks.joined() + "\n")
            #expect(result.stderr.contains("credentials: WECOM_TOKEN and WECOM_ENCODING_AES_KEY"))
            #expect(result.stderr.contains("URL verified"))
            #expect(s.dify.chatRequests.first?.query == "背一首诗")
            #expect(s.dify.chatRequests.first?.user == "wecom:wecomctl")

            // The operator's view of the same message.
            let streamID = try #require(result.stderr.firstMatch(of: /accepted: stream (\S+)/)?.1)
            let shown = try ctl.run("streams", "show", String(streamID))
            #expect(shown.stdout.contains(chunks.joined()))
            #expect(try s.stack.sqlite("SELECT state FROM jobs") == "done")
            let status = try ctl.run("status", "--json")
            #expect(status.stdout.contains(#""jobs":{"dead":0,"done":1,"queued":0,"running":0}"#))
        }

        @Test func usesTheBotsRowAndRefusesWrongCredentialsWithOneClearLine() throws {
            let s = try AnswerStack()
            defer { s.stop() }
            s.dify.defaultScript = .answer(text: "好的，收到。")
            let ctl = WecomctlRunner(directory: s.stack.scratch, database: s.stack.databasePath, extra: s.stack.environment)
            let base = "http://127.0.0.1:\(s.stack.port)/wecom/callback/"
            let token = "row" + SecureRandom.alphanumeric(12), key = EncodingAESKeyGenerator.make()
            #expect(try ctl.run("bots", "add", "aibROW", "--token", token, "--aes-key", key).status == 0)

            let fromRow = try ctl.run("simulate", base + "aibROW", "--text", "你好", "--interval", "0.05", "--timeout", "60")
            #expect(fromRow.status == 0, "\(fromRow.stderr)")
            #expect(fromRow.stdout == "好的，收到。\n")
            #expect(fromRow.stderr.contains("credentials: bot aibROW in \(s.stack.databasePath)"))

            let wrongToken = try ctl.run("simulate", base + "aibTEST", "--text", "你好", "--token", "wrong" + token,
                                         "--aes-key", s.key, "--timeout", "60")
            #expect(wrongToken.status == 1)
            #expect(wrongToken.stdout.isEmpty)
            #expect(wrongToken.stderrLines.last?.hasPrefix("wecomctl: URL verification failed: HTTP 403") == true)
            #expect(wrongToken.stderrLines.last?.contains("the token is not the bot's") == true)
            #expect(wrongToken.stderrLines.count == 2)   // the credentials line, then the error

            let wrongKey = try ctl.run("simulate", base + "aibTEST", "--text", "你好", "--token", s.token,
                                       "--aes-key", EncodingAESKeyGenerator.make(), "--timeout", "60")
            #expect(wrongKey.status == 1)
            #expect(wrongKey.stderrLines.last?.contains("HTTP 400") == true)
            #expect(wrongKey.stderrLines.last?.contains("EncodingAESKey") == true)
            #expect(try s.stack.sqlite("SELECT count(*) FROM jobs") == "1", "refused attempts write nothing")
        }

        /// Past the 6-minute window a retried job's answer goes out through response_url, and
        /// the stream row records it (what `jobs retry --help` says).
        @Test func retriedDeadJobRunsAgainAndAnswersThroughResponseURLPastTheWindow() throws {
            let s = try AnswerStack(environment: ["WECOM_JOB_MAX_ATTEMPTS": "1"])
            defer { s.stop() }
            s.dify.defaultScript = .httpError(status: 503, body: #"{"code":"unavailable","message":"down","status":503}"#)
            let ctl = WecomctlRunner(directory: s.stack.scratch, database: s.stack.databasePath, extra: s.stack.environment)
            let responseURL = s.dify.responseURL(code: "CODE-RETRY")
            let streamID = try s.wecom.send(WeComSimulator.text(msgID: "rt-1", content: "再试一次", responseURL: responseURL))
            try s.stack.waitForSQL("SELECT state FROM jobs", toBe: "dead")
            let id = try s.stack.sqlite("SELECT id FROM jobs")
            #expect(try ctl.run("jobs", "list", "--state", "dead").stdout.contains(streamID))

            try s.stack.sqlite("UPDATE streams SET created_at = created_at - 400")   // the message came 400 s ago
            s.dify.defaultScript = .answer(text: "第二次成功了")
            let retried = try ctl.run("jobs", "retry", id)
            #expect(retried.status == 0)
            #expect(retried.stdout.contains("stream \(streamID) reopened"))
            #expect(!retried.stderr.contains("no worker is alive"), "the running worker's heartbeat is live")
            try s.stack.waitForSQL("SELECT state || '|' || attempts FROM jobs", toBe: "done|1")
            #expect(s.dify.waitForPostedResponses(count: 1, code: "CODE-RETRY", timeout: 15))
            #expect(s.dify.postedResponses.first?.json?["markdown"]?["content"]?.stringValue == "第二次成功了")
            let shown = try ctl.run("streams", "show", streamID)
            #expect(shown.stdout.contains("第二次成功了"))
            #expect(shown.stdout.contains("(used "))
        }
    }
}
