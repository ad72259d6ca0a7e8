import DifyStandIn
import Foundation
import WeComCrypto

/// Two hosts sharing one PostgreSQL, each host and the database in a network namespace of its
/// own: hosts "a" and "b" (``HostStack``: nginx, `wecom-fcgi`, workers) and "db". The Dify
/// stand-in listens on the bridge's address, so both hosts' workers reach it; WeCom is the test
/// process, reaching each host's nginx through the bridge (``wecomA``, ``wecomB``).
final class TwoHostCluster {
    let network: TestNetwork
    let database: NamespacedPostgres
    let dify: DifyStandIn
    let a: HostStack
    let b: HostStack
    let wecomA: WeComSimulator
    let wecomB: WeComSimulator
    let token = "tok" + SecureRandom.alphanumeric(12)
    let key = EncodingAESKeyGenerator.make()

    /// `environment` is added to every service's configuration (e.g. `WECOM_JOB_LEASE`). No
    /// worker runs until a test starts one (`a.startWorker()`).
    init(environment: [String: String] = [:]) throws {
        network = try TestNetwork(hostNames: ["a", "b", "db"])
        database = try NamespacedPostgres(network: network, host: "db")
        dify = try DifyStandIn(host: network.bridgeAddress)
        var env = [
            "WECOM_DATABASE_URL": database.url, "WECOM_PG_SCHEMA": NamespacedPostgres.schema,
            "WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key,
            "DIFY_API_BASE_URL": dify.apiBaseURL, "DIFY_API_KEY": dify.apiKey,
            "WECOM_STREAM_FLUSH_INTERVAL": "0.05",
        ]
        env.merge(environment) { _, new in new }
        a = try HostStack("a", network: network, environment: env)
        b = try HostStack("b", network: network, environment: env)
        wecomA = try WeComSimulator(host: a.address, port: HostStack.port, botID: "aibTEST", token: token, key: key)
        wecomB = try WeComSimulator(host: b.address, port: HostStack.port, botID: "aibTEST", token: token, key: key)
    }

    deinit { stop() }

    /// The answers completed on both hosts (one log line each).
    var completedAnswers: [Substring] { a.completedAnswers + b.completedAnswers }

    /// Both hosts' service logs, for failure messages.
    var logs: String { "--- host a\n\(a.logs.suffix(3000))\n--- host b\n\(b.logs.suffix(3000))" }

    /// Waits until `sql` (one value) returns `expected`.
    func waitForSQL(_ sql: String, toBe expected: String, timeout: Double = 20) throws {
        var last = ""
        do {
            try waitUntil(timeout: timeout, "\(sql) = \(expected)") {
                last = (try? database.psql(sql)) ?? ""
                return last == expected
            }
        } catch {
            throw FixtureError("\(error); last value: \(last)\n\(logs)")
        }
    }

    /// Stops both hosts (the processes of `cutOff` ones are killed: their calls over the network
    /// would only time out), the stand-in and the database, then removes the network. Idempotent.
    func stop(cutOff: Set<String> = []) {
        for host in cutOff { network.killProcesses(in: host) }
        a.stop()
        b.stop()
        dify.stop()
        database.stop()
        network.remove()
    }
}
