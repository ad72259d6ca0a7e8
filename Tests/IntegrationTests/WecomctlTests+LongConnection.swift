import BotStore
import Foundation
import PostgresStore
import SQLiteStore
import StoreTestSupport
import Testing
import WeComCrypto

extension WecomctlTests {
    /// Issue 18: the built `wecomctl` for long-connection bots (`bots add --ws-secret`, `bots
    /// reconnect`, `send`, `status`) against a SQLite file and the test PostgreSQL. The test
    /// plays `wecom-ws` through the store: it takes the bot's lease, claims queued messages and
    /// records WeCom's answer as the holder would.
    @Suite struct LongConnection {
        /// A fresh database of `backend`, initialised, with `wecomctl` pointed at it (plus `extra`
        /// in its environment) and the test's own store connection.
        final class Fixture {
            let database: StackDatabase
            let ctl: WecomctlRunner
            let store: any BotStore
            let scratch: String

            init(_ backend: Backend, extra: [String: String] = [:]) throws {
                scratch = try TestPaths.scratch()
                database = try StackDatabase(backend, folder: scratch)
                ctl = WecomctlRunner(directory: scratch, database: database.sqlitePath,
                                     extra: database.environment.merging(extra) { _, new in new })
                let initialised = try ctl.run("init")
                guard initialised.status == 0 else { throw FixtureError("wecomctl init: \(initialised.all)") }
                switch backend {
                case .sqlite: store = try SQLiteStore(path: database.sqlitePath)
                case .postgres: store = try TestPostgres.openSession(schema: database.schema ?? "")
                }
            }

            /// `wecomctl` with more settings in its environment.
            func runner(with extra: [String: String]) -> WecomctlRunner {
                WecomctlRunner(directory: scratch, database: database.sqlitePath,
                               extra: ctl.environment.merging(extra) { _, new in new })
            }

            /// The rows of `outbound_messages` as `id|botid|chat_type|chatid|state`, by id.
            func outboundRows() throws -> [String] {
                try database.query("SELECT id || '|' || botid || '|' || chat_type || '|' || chatid || '|' || state "
                                   + "FROM outbound_messages ORDER BY id").split(separator: "\n").map(String.init)
            }

            /// Waits until `wecomctl send` has queued message `count`, and returns the newest.
            func awaitQueued(count: Int) throws -> OutboundMessage {
                var found: OutboundMessage?
                try waitUntil(timeout: 30, interval: 0.02, "message \(count) queued") {
                    found = try? store.outboundMessage(id: Int64(count))
                    return found != nil
                }
                guard let found else { throw FixtureError("no message \(count)") }
                return found
            }

            deinit {
                store.close()
                database.drop()
                try? FileManager.default.removeItem(atPath: scratch)
            }
        }

        static var now: Int64 { Int64(Date().timeIntervalSince1970) }
        static let holder = "ws-host:4242:n1"
        static let key = EncodingAESKeyGenerator.make()

        @Test(arguments: Backend.allCases) func botsTakeALongConnectionSecretAndNeverShowIt(_ backend: Backend) throws {
            let f = try Fixture(backend)
            let secret = "wsSecret" + SecureRandom.alphanumeric(24), fileSecret = "wsFile" + SecureRandom.alphanumeric(24)
            let token = "tok" + SecureRandom.alphanumeric(20)
            let secretFile = f.scratch + "/aibFile.secret"
            try Data((fileSecret + "\n").utf8).write(to: URL(fileURLWithPath: secretFile))

            var results: [WecomctlRunner.Result] = []
            func run(_ arguments: String...) throws -> WecomctlRunner.Result {
                let result = try f.ctl.start(arguments).wait()
                results.append(result)
                return result
            }
            #expect(try run("bots", "add", "aibWS", "--ws-secret", secret).stdout == "added bot aibWS (long-connection)\n")
            #expect(try run("bots", "add", "aibFile", "--ws-secret-file", secretFile).stdout
                    == "added bot aibFile (long-connection)\n")
            #expect(try run("bots", "add", "aibBoth", "--token", token, "--aes-key", Self.key, "--ws-secret", secret).stdout
                    == "added bot aibBoth (both)\n")
            let none = try run("bots", "add", "aibNone")
            #expect(none.status == 64)
            #expect(none.stderrLines == ["wecomctl: bot aibNone needs callback credentials (--token and --aes-key), a "
                                         + "long-connection secret (--ws-secret-file or --ws-secret), or both (see --help)"])
            #expect(try f.database.query("SELECT botid || '|' || token || '|' || coalesce(ws_secret, '-') FROM bots "
                                         + "ORDER BY botid")
                    == "aibBoth|\(token)|\(secret)\naibFile||\(fileSecret)\naibWS||\(secret)")

            let list = try run("bots", "list")
            #expect(WecomctlTests.row(list.stdout, "aibBoth")?.prefix(2) == ["aibBoth", "both"])
            #expect(WecomctlTests.row(list.stdout, "aibFile")?.prefix(2) == ["aibFile", "long-connection"])
            #expect(WecomctlTests.row(list.stdout, "aibWS")?.prefix(2) == ["aibWS", "long-connection"])

            // Options left out keep their value; an empty one clears it; a bot keeps one mode.
            #expect(try run("bots", "add", "aibWS", "--token", token, "--aes-key", Self.key).stdout
                    == "updated bot aibWS (both)\n")
            #expect(try run("bots", "add", "aibWS", "--ws-secret", "").stdout == "updated bot aibWS (callback)\n")
            let emptied = try run("bots", "add", "aibFile", "--ws-secret", "")
            #expect(emptied.status == 64 && emptied.stderrLines.count == 1)
            #expect(emptied.stderr.contains("would be left without callback credentials and without a long-connection secret"))
            #expect(try f.database.query("SELECT botid || '|' || coalesce(ws_secret, '-') FROM bots ORDER BY botid")
                    == "aibBoth|\(secret)\naibFile|\(fileSecret)\naibWS|-")
            #expect(WecomctlTests.row(try run("bots", "list").stdout, "aibWS")?.prefix(2) == ["aibWS", "callback"])

            for result in results {
                #expect(!result.all.contains(secret) && !result.all.contains(fileSecret) && !result.all.contains(token)
                        && !result.all.contains(Self.key))
            }
        }

        @Test(arguments: Backend.allCases) func reconnectClearsTheTakenOverMark(_ backend: Backend) throws {
            let f = try Fixture(backend, extra: ["WECOM_BOT_ID": "aibDefault", "WECOM_BOT_SECRET": "defaultSecret1"])
            #expect(try f.ctl.run("bots", "add", "aibWS", "--ws-secret", "s3cret").status == 0)
            #expect(try f.ctl.run("bots", "add", "aibCB", "--token", "tok", "--aes-key", Self.key).status == 0)
            _ = try f.store.acquireConnection(botID: "aibWS", holder: Self.holder, now: Self.now, lease: 600)
            #expect(try f.store.markTakenOver(botID: "aibWS", holder: Self.holder, now: Self.now))

            let status = try f.ctl.run("status")
            #expect(status.stdout.contains("bot aibWS was taken over by another client: stop that client, then run "
                                           + "`wecomctl bots reconnect aibWS`"))
            let json = try Self.connections(f.ctl.run("status", "--json"))
            #expect(json["aibWS"]?["taken_over_at"] is Int && json["aibWS"]?["holder"] is NSNull)

            let cleared = try f.ctl.run("bots", "reconnect", "aibWS")
            #expect(cleared.status == 0)
            #expect(cleared.stdout == "bot aibWS: taken-over mark cleared; wecom-ws connects it again at its next attempt\n")
            #expect(try f.database.query("SELECT count(*) FROM ws_connections WHERE taken_over_at IS NOT NULL") == "0")
            let taken = try f.store.acquireConnection(botID: "aibWS", holder: "standby:1:n", now: Self.now, lease: 30)
            if case .acquired = taken {} else { Issue.record("a standby could not take the bot once cleared: \(taken)") }

            let again = try f.ctl.run("bots", "reconnect", "aibWS")
            #expect(again.status == 0 && again.stdout == "bot aibWS is not taken over: nothing to clear\n")
            let defaultBot = try f.ctl.run("bots", "reconnect", "aibDefault")
            #expect(defaultBot.status == 0 && defaultBot.stdout == "bot aibDefault is not taken over: nothing to clear\n")
            let callback = try f.ctl.run("bots", "reconnect", "aibCB")
            #expect(callback.status == 1)
            #expect(callback.stderrLines == ["wecomctl: bot aibCB is in callback mode: it has no long connection"])
            let unknown = try f.ctl.run("bots", "reconnect", "aibNobody")
            #expect(unknown.status == 1)
            #expect(unknown.stderrLines == ["wecomctl: no long-connection bot aibNobody (see `wecomctl bots list`)"])
        }

        @Test(arguments: Backend.allCases) func statusShowsEachLongConnectionBot(_ backend: Backend) throws {
            let f = try Fixture(backend, extra: ["WECOM_BOT_ID": "aibDefault", "WECOM_BOT_SECRET": "defaultSecret1"])
            #expect(try f.ctl.run("bots", "add", "aibWS", "--ws-secret", "s3cret").status == 0)
            #expect(try f.ctl.run("bots", "add", "aibCB", "--token", "tok", "--aes-key", Self.key).status == 0)
            let start = Self.now
            _ = try f.store.acquireConnection(botID: "aibWS", holder: Self.holder, now: start, lease: 3600)
            #expect(try f.store.recordConnected(botID: "aibWS", holder: Self.holder, now: start))
            for user in ["u1", "u2"] {
                _ = try f.store.queueOutbound(NewOutboundMessage(botID: "aibWS", target: .user(user), markdown: "hi"),
                                              now: start)
            }

            let text = try f.ctl.run("status")
            #expect(text.status == 0)
            let row = try #require(WecomctlTests.row(text.stdout, "aibWS"))
            #expect(row.prefix(5) == ["aibWS", "yes", "ws-host", "(pid", "4242)"])
            #expect(row.contains("until") && row.contains("2"))
            #expect(WecomctlTests.row(text.stdout, "aibDefault") == ["aibDefault", "no", "-", "-", "-", "-", "0", "-"])
            #expect(WecomctlTests.row(text.stdout, "aibCB") == nil, "a callback bot has no long connection")
            #expect(!text.all.contains("s3cret") && !text.all.contains("defaultSecret1"))

            var json = try Self.connections(f.ctl.run("status", "--json"))
            #expect(json.keys.sorted() == ["aibDefault", "aibWS"])
            let held = try #require(json["aibWS"])
            #expect(held["connected"] as? Bool == true && held["lease_expired"] as? Bool == false)
            let holder = held["holder"] as? [String: Any]
            #expect(holder?["host"] as? String == "ws-host" && holder?["pid"] as? Int == 4242)
            #expect(held["queued_outbound"] as? Int == 2 && held["last_error"] is NSNull)
            let since = try #require(held["since"] as? Int), until = try #require(held["lease_until"] as? Int)
            #expect(abs(since - Int(start)) <= 2 && abs(until - Int(start) - 3600) <= 2)
            #expect(json["aibDefault"]?["connected"] as? Bool == false && json["aibDefault"]?["holder"] is NSNull)

            #expect(try f.store.recordDisconnected(botID: "aibWS", holder: Self.holder, error: "TLS handshake failed",
                                                   now: start + 1))
            json = try Self.connections(f.ctl.run("status", "--json"))
            #expect(json["aibWS"]?["connected"] as? Bool == false)
            #expect(json["aibWS"]?["last_error"] as? String == "TLS handshake failed")
            #expect(try f.ctl.run("status").stdout.contains("TLS handshake failed ("))
        }

        @Test(arguments: Backend.allCases) func sendRefusesACallbackBotAndChecksTheMessage(_ backend: Backend) throws {
            let f = try Fixture(backend)
            #expect(try f.ctl.run("bots", "add", "aibCB", "--token", "tok", "--aes-key", Self.key).status == 0)
            #expect(try f.ctl.run("bots", "add", "aibWS", "--ws-secret", "s3cret").status == 0)

            let refused = try f.ctl.run("send", "aibCB", "--to", "u1", "--markdown", "hi")
            #expect(refused.status == 2)
            #expect(refused.stderrLines == ["wecomctl: bot aibCB is in callback mode: WeCom accepts messages a bot sends "
                                            + "first only over its long connection (`wecomctl bots add aibCB --ws-secret-file FILE`)"])
            let viaDefaults = try f.runner(with: ["WECOM_TOKEN": "tok", "WECOM_ENCODING_AES_KEY": Self.key])
                .run("send", "aibOther", "--to", "u1", "--markdown", "hi")
            #expect(viaDefaults.status == 2 && viaDefaults.stderr.contains("bot aibOther is in callback mode"))
            let unknown = try f.ctl.run("send", "aibOther", "--to", "u1", "--markdown", "hi")
            #expect(unknown.status == 1 && unknown.stderrLines.count == 1 && unknown.stderr.contains("no bot aibOther"))

            let longest = String(repeating: "长", count: 6826) + "ab"
            #expect(longest.utf8.count == 20480)
            let tooLong = try f.ctl.run("send", "aibWS", "--to", "u1", "--markdown", longest + "c")
            #expect(tooLong.status == 64)
            #expect(tooLong.stderrLines == ["wecomctl: --markdown is 20,481 bytes of UTF-8; WeCom takes at most 20,480 in "
                                            + "one message (see --help)"])
            #expect(try f.outboundRows() == [])

            let queued = try f.ctl.run("send", "aibWS", "--to", "u1", "--markdown", longest, "--no-wait")
            #expect(queued.status == 0 && queued.stdout == "queued message 1 for bot aibWS\n")
            #expect(try f.store.outboundMessage(id: 1)?.markdown == longest)
            #expect(try f.ctl.run("send", "aibWS", "--chat", "wrkGroup1", "--markdown", "**部署完成**", "--no-wait").status == 0)
            let defaultBot = try f.runner(with: ["WECOM_BOT_ID": "aibDefault", "WECOM_BOT_SECRET": "defaultSecret1"])
                .run("send", "aibDefault", "--to", "u2", "--markdown", "hi", "--no-wait")
            #expect(defaultBot.status == 0 && defaultBot.stdout == "queued message 3 for bot aibDefault\n")
            #expect(try f.outboundRows() == ["1|aibWS|1|u1|queued", "2|aibWS|2|wrkGroup1|queued",
                                             "3|aibDefault|1|u2|queued"])
        }

        /// `send` waits for the outcome the holder records, and prints it.
        @Test(arguments: Backend.allCases) func sendWaitsForTheOutcomeAndPrintsIt(_ backend: Backend) throws {
            let f = try Fixture(backend)
            #expect(try f.ctl.run("bots", "add", "aibWS", "--ws-secret", "s3cret").status == 0)
            _ = try f.store.acquireConnection(botID: "aibWS", holder: Self.holder, now: Self.now, lease: 600)
            let outcomes: [(OutboundOutcome, Int32, String)] = [
                (.sent, 0, "sent\n"),
                (.failed(errcode: 846607, errmsg: "api freq out of limit"), 1,
                 "failed: errcode 846607 (rate limited: at most 30 messages a minute and 1000 an hour per conversation)\n"),
                (.failed(errcode: 40001, errmsg: "some new error"), 1, "failed: errcode 40001 (some new error)\n"),
                (.failed(errcode: nil, errmsg: OutboundMessage.unknownOutcome), 1,
                 "failed: \(OutboundMessage.unknownOutcome)\n"),
            ]
            for (index, (outcome, status, printed)) in outcomes.enumerated() {
                let running = try f.ctl.start(["send", "aibWS", "--chat", "wrkGroup1", "--markdown", "第\(index)条"])
                let queued = try f.awaitQueued(count: index + 1)
                #expect(queued.state == .queued && queued.target == .group("wrkGroup1"))
                #expect(try f.store.claimOutbound(holder: Self.holder, now: Self.now, lease: 60, limit: 10).map(\.id)
                        == [queued.id])
                #expect(try f.store.recordOutboundOutcome(id: queued.id, holder: Self.holder, outcome: outcome, now: Self.now))
                let result = running.wait()
                #expect(result.status == status, "\(outcome)")
                #expect(result.stdout == printed)
                #expect(result.stderr == "")
            }
        }

        /// Nobody took the message in time: it is withdrawn and never sent.
        @Test(arguments: Backend.allCases) func sendWithdrawsAMessageNoWecomWSTook(_ backend: Backend) throws {
            let f = try Fixture(backend)
            #expect(try f.ctl.run("bots", "add", "aibWS", "--ws-secret", "s3cret").status == 0)
            let result = try f.ctl.run("send", "aibWS", "--to", "u1", "--markdown", "hi", "--timeout", "0.5")
            #expect(result.status == 1)
            #expect(result.stderrLines == ["wecomctl: not sent within 0.5 s, withdrawn: no wecom-ws took it (is one running "
                                           + "with bot aibWS? see `wecomctl status`)"])
            #expect(try f.outboundRows() == ["1|aibWS|1|u1|cancelled"])
            _ = try f.store.acquireConnection(botID: "aibWS", holder: Self.holder, now: Self.now, lease: 600)
            #expect(try f.store.claimOutbound(holder: Self.holder, now: Self.now, lease: 60, limit: 10) == [])
        }

        /// The holder took the message but WeCom's answer did not come in time: it may still arrive.
        @Test(arguments: Backend.allCases) func sendTimingOutWhileTheHolderSendsSaysItMayArrive(_ backend: Backend) throws {
            let f = try Fixture(backend)
            #expect(try f.ctl.run("bots", "add", "aibWS", "--ws-secret", "s3cret").status == 0)
            _ = try f.store.acquireConnection(botID: "aibWS", holder: Self.holder, now: Self.now, lease: 600)
            let running = try f.ctl.start(["send", "aibWS", "--to", "u1", "--markdown", "hi", "--timeout", "3"])
            let queued = try f.awaitQueued(count: 1)
            #expect(try f.store.claimOutbound(holder: Self.holder, now: Self.now, lease: 600, limit: 10).map(\.id)
                    == [queued.id])
            let result = running.wait()
            #expect(result.status == 1)
            #expect(result.stderrLines == ["wecomctl: no outcome within 3 s: wecom-ws is sending message 1, it may still "
                                           + "arrive"])
            #expect(try f.outboundRows() == ["1|aibWS|1|u1|sending"])
        }

        /// `status --json`'s long-connection bots by botid.
        static func connections(_ result: WecomctlRunner.Result) throws -> [String: [String: Any]] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let bots = try #require(json["long_connection_bots"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: bots.map { ($0["bot_id"] as? String ?? "", $0) })
        }
    }
}
