import Foundation

/// A real nginx started from the test fixture config in its own prefix on a free port.
final class NginxFixture {
    let port: Int
    let prefix: String
    private let process: ChildProcess

    init(prefix: String, fcgiSockets: [String]) throws {
        guard let nginx = which("nginx") else { throw FixtureError("nginx is not installed (scripts/install-deps.sh)") }
        self.prefix = prefix
        port = try freePort()
        for dir in ["client_body", "fastcgi", "proxy", "uwsgi", "scgi"] {
            try FileManager.default.createDirectory(atPath: prefix + "/" + dir, withIntermediateDirectories: true)
        }
        let template = try String(contentsOfFile: TestPaths.fixture("nginx-test.conf.template"), encoding: .utf8)
        let config = template
            .replacingOccurrences(of: "@USER@", with: geteuid() == 0 ? "user root root;" : "")
            .replacingOccurrences(of: "@PREFIX@", with: prefix)
            .replacingOccurrences(of: "@PORT@", with: String(port))
            .replacingOccurrences(of: "@UPSTREAMS@", with: fcgiSockets.map { "        server unix:\($0);" }.joined(separator: "\n"))
        let confPath = prefix + "/nginx.conf"
        try config.write(toFile: confPath, atomically: true, encoding: .utf8)
        try runCommand(nginx, ["-t", "-q", "-p", prefix, "-c", confPath, "-e", prefix + "/error.log"])
        process = try ChildProcess(name: "nginx", executable: nginx,
                                   arguments: ["-p", prefix, "-c", confPath, "-e", prefix + "/error.log", "-g", "daemon off;"],
                                   environment: [:], directory: prefix, logPath: prefix + "/nginx.stderr")
        let port = self.port, process = self.process, pidFile = prefix + "/nginx.pid"
        // Ours, not some other listener: the master wrote its pid file and is still running.
        try waitUntil("nginx on port \(port)") {
            !process.isRunning || (FileManager.default.fileExists(atPath: pidFile) && portAccepts(port))
        }
        guard process.isRunning else { throw FixtureError("nginx exited: \(process.log)") }
    }

    /// The lines of nginx's error log at level error or worse (an upstream reset or a premature
    /// close would be one).
    var errorLines: [Substring] {
        let log = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { line in
            ["[error]", "[crit]", "[alert]", "[emerg]"].contains { line.contains($0) }
        }
    }

    func stop() { process.stop(signal: SIGQUIT) }
    deinit { stop() }
}
