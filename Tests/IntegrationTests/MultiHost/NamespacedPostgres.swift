import Foundation

/// A PostgreSQL server of its own for the multi-host tests, in a network namespace, listening
/// on that namespace's address and letting the test network's addresses in with the password:
/// `scripts/test-postgres.sh` run with `ip netns exec` (the server keeps the namespace it was
/// started in). Restarting it or cutting its host off touches no other test's server.
final class NamespacedPostgres {
    /// The schema the services use (`WECOM_PG_SCHEMA`'s default): the server is this test's alone.
    static let schema = "wecom_bot"

    /// `postgresql://postgres:PASSWORD@ADDRESS:PORT/postgres`.
    let url: String
    private let network: TestNetwork
    private let host: String
    private let environmentFile: String
    private var stopped = false

    /// Starts the server in `host`'s namespace of `network`.
    init(network: TestNetwork, host: String) throws {
        self.network = network
        self.host = host
        environmentFile = network.folder + "/postgres.env"
        try Self.script(network: network, host: host, environmentFile: environmentFile, "start", extra: [
            "WECOM_TEST_PG_LISTEN=" + network.address(host), "WECOM_TEST_PG_HBA=" + network.bridgeAddress + "/24",
        ])
        let environment = try String(contentsOfFile: environmentFile, encoding: .utf8)
        guard let line = environment.split(separator: "\n").first(where: { $0.hasPrefix("WECOM_TEST_PG_URL=") }) else {
            throw FixtureError("no WECOM_TEST_PG_URL in \(environmentFile)")
        }
        url = String(line.dropFirst("WECOM_TEST_PG_URL=".count))
    }

    deinit { stop() }

    /// A fast restart (`pg_ctl restart -m fast`, same port and options): every session is ended
    /// and the server is back when this returns.
    func restart() throws {
        try Self.script(network: network, host: host, environmentFile: environmentFile, "restart")
    }

    /// Stops the server and removes its folder. Idempotent.
    func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? Self.script(network: network, host: host, environmentFile: environmentFile, "stop")
    }

    /// Runs `sql` in the services' schema with `psql`, as an operator would; returns the rows
    /// unaligned, one a line, columns split by `|`.
    @discardableResult
    func psql(_ sql: String) throws -> String {
        guard let psql = which("psql") else { throw FixtureError("psql is not installed (postgresql-client)") }
        return try runCommand(psql, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c",
                                     "SET search_path TO \(Self.schema)", "-c", sql, url])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes the server a run that died left in `folder` (its processes are gone with its
    /// namespace; this removes the data folder).
    static func removeLeftover(in folder: String) {
        let environmentFile = folder + "/postgres.env"
        guard FileManager.default.fileExists(atPath: environmentFile) else { return }
        _ = try? runCommand("/usr/bin/env", ["WECOM_TEST_PG_ENV_FILE=" + environmentFile, scriptPath, "stop"])
    }

    private static var scriptPath: String { TestPaths.packageRoot + "/scripts/test-postgres.sh" }

    /// Runs `scripts/test-postgres.sh command` inside `host`'s namespace, its state in
    /// `environmentFile`. (The server sets its own signal mask, so the test runner's blocked
    /// signals do not reach it; and emptying the mask for the whole call would lose the SIGCHLD
    /// that tells Foundation the script has exited.)
    private static func script(network: TestNetwork, host: String, environmentFile: String, _ command: String,
                               extra: [String] = []) throws {
        let (ip, arguments) = try network.command(
            in: host, "/usr/bin/env", ["WECOM_TEST_PG_ENV_FILE=" + environmentFile] + extra + [scriptPath, command])
        try runCommand(ip, arguments)
    }
}
