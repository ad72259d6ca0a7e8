import Foundation

/// One simulated host of a ``TestNetwork``: in its own network namespace and its own folder,
/// nginx listening on the host's address in front of a pre-forking `wecom-fcgi` on a unix socket
/// in that folder, and the `wecom-worker` processes ``startWorker(concurrency:)`` adds. Every
/// process runs under `ip netns exec`; the store is the shared PostgreSQL the environment names.
final class HostStack {
    /// nginx's port on the host's address (each host has its own network stack, so every host
    /// can use the same one).
    static let port = 8080

    let name: String
    /// The host's address on the test network.
    let address: String
    /// Its files: sockets, logs, nginx's prefix. No other host uses them.
    let folder: String
    let responder: ChildProcess
    let nginx: ChildProcess
    /// `wecom-worker` processes started with ``startWorker(concurrency:)``.
    private(set) var workers: [ChildProcess] = []
    private let network: TestNetwork
    private let environment: [String: String]

    /// Starts `wecom-fcgi` (`processes` children) and nginx in `name`'s namespace of `network`.
    /// `environment` is the services' configuration (database, bot, Dify).
    init(_ name: String, network: TestNetwork, environment: [String: String], processes: Int = 2) throws {
        self.name = name
        self.network = network
        address = network.address(name)
        folder = network.folder + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "WECOM_ENV_FILE": folder + "/no.env",
            // Unused with PostgreSQL; here, should anything look, it finds this host's folder only.
            "WECOM_DB_PATH": folder + "/unused.sqlite3",
            "WECOM_LOG_LEVEL": "info",
        ]
        env.merge(environment) { _, new in new }
        self.environment = env

        let socket = folder + "/fcgi.sock"
        let (ip, fcgi) = try network.command(in: name, try TestPaths.binary("wecom-fcgi"),
                                             ["--socket", "unix:" + socket, "--processes", String(processes),
                                              "--socket-mode", "666"])
        responder = try ChildProcess(name: "\(name)/wecom-fcgi", executable: ip, arguments: fcgi, environment: env,
                                     directory: folder, logPath: folder + "/wecom-fcgi.log")
        let responder = self.responder
        try waitUntil("\(name)/wecom-fcgi socket") { !responder.isRunning || FileManager.default.fileExists(atPath: socket) }
        guard responder.isRunning else { throw FixtureError("\(name)/wecom-fcgi exited: \(responder.log)") }

        nginx = try Self.startNginx(host: name, network: network, address: address, prefix: folder + "/nginx",
                                    socket: socket)
    }

    deinit { stop() }

    /// Starts a `wecom-worker` in this host's namespace (a short grace, so that stopping it
    /// never waits long) and waits for its start line.
    @discardableResult
    func startWorker(concurrency: Int = 8) throws -> ChildProcess {
        let index = workers.count
        let (ip, arguments) = try network.command(in: name, try TestPaths.binary("wecom-worker"),
                                                  ["--concurrency", String(concurrency), "--grace", "1"])
        let worker = try ChildProcess(name: "\(name)/wecom-worker-\(index)", executable: ip, arguments: arguments,
                                      environment: environment, directory: folder,
                                      logPath: folder + "/wecom-worker-\(index).log")
        workers.append(worker)
        try waitUntil("\(name)/wecom-worker-\(index) to start") {
            !worker.isRunning || worker.log.contains("wecom-worker started")
        }
        guard worker.isRunning else { throw FixtureError("\(name)/wecom-worker-\(index) exited: \(worker.log)") }
        return worker
    }

    /// Every process of this host that was started (nginx, the responder master, the workers).
    var processes: [ChildProcess] { [nginx, responder] + workers }

    /// The responder's and workers' log output so far.
    var logs: String { ([responder] + workers).map(\.log).joined(separator: "\n") }

    /// The log lines of answers this host's workers completed.
    var completedAnswers: [Substring] {
        workers.flatMap { $0.log.split(separator: "\n") }.filter { $0.contains("job finished") && $0.contains("outcome=done") }
    }

    /// Stops every process (SIGTERM; nginx SIGQUIT).
    func stop() {
        for worker in workers { worker.stop(timeout: 5) }
        nginx.stop(signal: SIGQUIT, timeout: 5)
        responder.stop(timeout: 5)
    }

    /// nginx from the integration tests' configuration, listening on `address` instead of loopback.
    private static func startNginx(host: String, network: TestNetwork, address: String, prefix: String,
                                   socket: String) throws -> ChildProcess {
        guard let nginx = which("nginx") else { throw FixtureError("nginx is not installed (scripts/install-deps.sh)") }
        for dir in ["client_body", "fastcgi", "proxy", "uwsgi", "scgi"] {
            try FileManager.default.createDirectory(atPath: prefix + "/" + dir, withIntermediateDirectories: true)
        }
        let template = try String(contentsOfFile: TestPaths.fixture("nginx-test.conf.template"), encoding: .utf8)
        let loopbackListen = "listen 127.0.0.1:@PORT@;"
        guard template.contains(loopbackListen) else {
            throw FixtureError("nginx-test.conf.template has no '\(loopbackListen)'")
        }
        let config = template
            .replacingOccurrences(of: loopbackListen, with: "listen \(address):\(port);")
            .replacingOccurrences(of: "@USER@", with: geteuid() == 0 ? "user root root;" : "")
            .replacingOccurrences(of: "@PREFIX@", with: prefix)
            .replacingOccurrences(of: "@UPSTREAMS@", with: "        server unix:\(socket);")
        let configPath = prefix + "/nginx.conf"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let arguments = ["-p", prefix, "-c", configPath, "-e", prefix + "/error.log"]
        // The check binds the address too, so it runs in the host's namespace as well.
        let (ip, check) = try network.command(in: host, nginx, ["-t", "-q"] + arguments)
        try runCommand(ip, check)
        let command = try network.command(in: host, nginx, arguments + ["-g", "daemon off;"]).1
        let process = try ChildProcess(name: "\(host)/nginx", executable: ip, arguments: command, environment: [:],
                                       directory: prefix, logPath: prefix + "/nginx.stderr")
        // Listening when a request through the bridge gets nginx's own 404 for "/".
        try waitUntil("\(host)/nginx on \(address):\(port)") {
            let response = try? HTTPClient.request(host: address, port: port, method: "GET", target: "/", timeout: 2)
            return !process.isRunning || response?.status == 404
        }
        guard process.isRunning else { throw FixtureError("\(host)/nginx exited: \(process.log)") }
        return process
    }
}
