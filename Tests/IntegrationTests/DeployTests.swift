import BotConfig
import Foundation
import Testing
import WeComCrypto

/// The files under `deploy/` as an operator installs them: the nginx site is checked by
/// `nginx -t` and then served for real (HTTPS with a fresh self-signed certificate, in front of
/// `wecom-fcgi` holding an inherited socket on fd 0 as under systemd `StandardInput=socket`);
/// the systemd units go through `systemd-analyze verify`, the sysusers/tmpfiles pair through
/// `systemd-sysusers`/`systemd-tmpfiles` on a scratch root, and the env example through the
/// configuration loader.
@Suite(.serialized) struct DeployTests {
    static let deploy = TestPaths.packageRoot + "/deploy"
    static let hasSystemdAnalyze = which("systemd-analyze") != nil
    static let hasSystemdSetupTools = which("systemd-sysusers") != nil && which("systemd-tmpfiles") != nil

    // MARK: nginx

    @Test func nginxSitePassesNginxT() throws {
        let site = try NginxSite(scratch: try TestPaths.scratch(), fcgiSocket: "/tmp/wb-unused.sock")
        defer { try? FileManager.default.removeItem(atPath: site.scratch) }
        try site.check()
    }

    @Test func nginxSiteServesOnlyTheCallbackOverHTTPS() throws {
        let scratch = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let token = "tok" + SecureRandom.alphanumeric(12), key = EncodingAESKeyGenerator.make()
        let socket = scratch + "/fcgi.sock"
        let responder = try Self.startResponderOnInheritedSocket(socket: socket, scratch: scratch, environment: [
            "WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key,
        ])
        defer { responder.stop() }
        let site = try NginxSite(scratch: scratch, fcgiSocket: socket)
        try site.check()
        let nginx = try site.start()
        defer { nginx.stop(signal: SIGQUIT) }

        // Plain HTTP only redirects, keeping path and query.
        let redirect = try HTTPClient.request(port: site.httpPort, method: "GET", target: "/wecom/callback/bot?a=1")
        #expect(redirect.status == 301)
        #expect(redirect.headers["location"] == "https://127.0.0.1/wecom/callback/bot?a=1")

        // A signed URL verification over HTTPS reaches wecom-fcgi and is answered by it.
        let crypto = try WeComCrypto(token: token, encodingAESKey: key)
        let plain = String(UInt64.random(in: 1...UInt64.max))
        let echostr = try crypto.encrypt(Array(plain.utf8))
        let ts = String(Int(Date().timeIntervalSince1970)), nonce = String(UInt32.random(in: 1...UInt32.max))
        let signature = WeComCrypto.signature(token: token, timestamp: ts, nonce: nonce, encrypt: echostr)
        let query = "msg_signature=\(signature)&timestamp=\(ts)&nonce=\(nonce)&echostr=\(WeComSimulator.percentEncode(echostr))"
        let verified = try site.https("/wecom/callback/aib_Bot-1?" + query)
        #expect(verified.status == 200)
        #expect(verified.text == plain)
        #expect(verified.headers["strict-transport-security"] == "max-age=63072000")

        // The responder's own refusals pass through (a bad signature: its 403, logged by it).
        let forged = try site.https("/wecom/callback/forged?" + query.replacingOccurrences(of: signature, with: String(repeating: "0", count: 40)))
        #expect(forged.status == 403)
        try waitUntil("the responder logs the forged request") { responder.log.contains("/wecom/callback/forged 403") }

        // Everything else is answered by nginx itself and never reaches the responder.
        for path in ["/", "/other", "/wecom/callback/", "/wecom/callback/a/b", "/wecom/callback/bad.id",
                     "/wecom/callback/" + String(repeating: "x", count: 65), "/wecom/callbackX"] {
            let response = try site.https(path)
            #expect(response.status == 404, "\(path)")
            #expect(response.headers["strict-transport-security"] != nil, "\(path)")
        }
        #expect(!responder.log.contains("/wecom/callback/a/b"))

        // Bodies over 64 KiB are refused by nginx.
        let big = try site.https("/wecom/callback/bot", method: "POST", body: [UInt8](repeating: 0x61, count: 70_000))
        #expect(big.status == 413)

        // The access log has the timings and no query string (it carries the signatures).
        let accessLog = try String(contentsOfFile: site.accessLog, encoding: .utf8)
        #expect(accessLog.contains("\"GET /wecom/callback/aib_Bot-1 HTTP/1.1\" 200"))
        #expect(accessLog.contains("rt=") && accessLog.contains("urt="))
        #expect(!accessLog.contains("msg_signature") && !accessLog.contains(signature))
    }

    /// `wecom-fcgi` with a listening unix socket on fd 0, exactly what systemd's
    /// `StandardInput=socket` hands it: spawn-fcgi `-n` creates the socket, puts it on fd 0 and
    /// execs the responder (no flags name the socket, so `ListenerSpec.detect()` must find it).
    static func startResponderOnInheritedSocket(socket: String, scratch: String,
                                                environment: [String: String]) throws -> ChildProcess {
        guard let spawnFCGI = which("spawn-fcgi") else { throw FixtureError("spawn-fcgi is not installed (scripts/install-deps.sh)") }
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                   "WECOM_DB_PATH": scratch + "/bot.sqlite3", "WECOM_ENV_FILE": scratch + "/no.env"]
        env.merge(environment) { _, new in new }
        let child = try ChildProcess(
            name: "wecom-fcgi", executable: spawnFCGI,
            arguments: ["-n", "-s", socket, "-M", "0666", "--", try TestPaths.binary("wecom-fcgi"), "--processes", "2"],
            environment: env, directory: scratch, logPath: scratch + "/wecom-fcgi.log")
        try waitUntil("wecom-fcgi serving fd 0") { !child.isRunning || child.log.contains("fd 0") }
        guard child.isRunning else { throw FixtureError("wecom-fcgi exited: \(child.log)") }
        return child
    }

    // MARK: systemd

    @Test(.enabled(if: hasSystemdAnalyze, "systemd-analyze is not installed (Debian package systemd): units not verified"))
    func systemdUnitsPassSystemdAnalyzeVerify() throws {
        let scratch = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // The units as shipped, with ExecStart pointing at the built binaries (verify checks that
        // the programs exist and are executable).
        let units = ["wecom-fcgi.socket", "wecom-fcgi.service", "wecom-worker@.service", "wecom-ws.service"]
        for unit in units {
            let text = try String(contentsOfFile: Self.deploy + "/systemd/" + unit, encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/", with: TestPaths.binaries + "/")
                .write(toFile: scratch + "/" + unit, atomically: true, encoding: .utf8)
        }
        // A template is verified through an instance name (as `systemctl enable wecom-worker@1`).
        try FileManager.default.createSymbolicLink(atPath: scratch + "/wecom-worker@1.service",
                                                   withDestinationPath: "wecom-worker@.service")
        let result = try Self.run(which("systemd-analyze")!, ["verify", "--man=no",
                                                               scratch + "/wecom-fcgi.socket", scratch + "/wecom-fcgi.service",
                                                               scratch + "/wecom-worker@1.service", scratch + "/wecom-ws.service"])
        #expect(result.status == 0, "\(result.output)")
        // Unknown keys and bad values are only warnings for systemd: none may mention our units.
        let ours = result.output.split(separator: "\n").filter { $0.contains("wecom") }
        #expect(ours.isEmpty, "\(ours.joined(separator: "\n"))")
    }

    @Test func unitsDeclareWhatTheDeploymentNeeds() throws {
        let socket = try Self.unit("wecom-fcgi.socket"), service = try Self.unit("wecom-fcgi.service")
        let worker = try Self.unit("wecom-worker@.service"), ws = try Self.unit("wecom-ws.service")
        #expect(ws["ExecStart"] == ["/usr/local/bin/wecom-ws"] && ws["KillSignal"] == ["SIGTERM"])
        #expect(socket["ListenStream"] == ["/run/wecom-bot/fcgi.sock"])
        #expect(socket["Accept"] == ["no"] && socket["SocketMode"] == ["0660"] && socket["SocketGroup"] == ["www-data"])
        #expect(service["StandardInput"] == ["socket"])
        #expect(service["StandardOutput"] == ["journal"] && service["StandardError"] == ["journal"])
        #expect(service["Requires"] == ["wecom-fcgi.socket"])
        #expect(service["ExecStart"] == ["/usr/local/bin/wecom-fcgi --processes 2 --threads 4"])
        for unit in [service, worker, ws] {
            #expect(unit["EnvironmentFile"] == ["/etc/wecom-bot/wecom-bot.env"])
            #expect(unit["User"] == ["wecom-bot"] && unit["WorkingDirectory"] == ["/var/lib/wecom-bot"])
            #expect(unit["ProtectSystem"] == ["strict"] && unit["ReadWritePaths"] == ["/var/lib/wecom-bot"])
            #expect(unit["NoNewPrivileges"] == ["yes"] && unit["PrivateTmp"] == ["yes"])
        }
        // systemd must not SIGKILL a worker before its --grace period is over.
        let exec = try #require(worker["ExecStart"]?.first)
        let grace = try #require(exec.components(separatedBy: "--grace ").last.flatMap { Double($0.prefix { !$0.isWhitespace }) })
        let timeout = try #require(worker["TimeoutStopSec"]?.first.flatMap { Double($0) })
        #expect(worker["KillSignal"] == ["SIGTERM"] && timeout > grace)
    }

    @Test(.enabled(if: hasSystemdSetupTools, "systemd-sysusers/systemd-tmpfiles are not installed: not checked"))
    func sysusersAndTmpfilesCreateTheUserAndFolders() throws {
        let root = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        for file in ["passwd", "group"] {  // www-data (nginx's user) comes from the host
            try FileManager.default.copyItem(atPath: "/etc/" + file, toPath: root + "/etc/" + file)
        }
        try runCommand(which("systemd-sysusers")!, ["--root=" + root, Self.deploy + "/systemd/wecom-bot.sysusers"])
        let passwd = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
        let user = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("wecom-bot:") })
        #expect(user.hasSuffix(":/var/lib/wecom-bot:/usr/sbin/nologin"))
        guard geteuid() == 0 else { return }  // creating folders owned by another user needs root
        try runCommand(which("systemd-tmpfiles")!, ["--root=" + root, "--create", Self.deploy + "/systemd/wecom-bot.tmpfiles"])
        let uid = UInt32(user.split(separator: ":")[2])!
        for (path, group) in [("/var/lib/wecom-bot", "wecom-bot"), ("/var/lib/wecom-bot/wake", "wecom-bot"),
                              ("/run/wecom-bot", "www-data")] {
            var info = stat()
            #expect(stat(root + path, &info) == 0, "\(path)")
            #expect(info.st_uid == uid && info.st_mode & 0o777 == 0o750, "\(path)")
            #expect(Self.groupName(info.st_gid, root: root) == group, "\(path)")
        }
    }

    /// Every variable the configuration reads is in the env example; uncommenting every line
    /// gives exactly the defaults (so the documented defaults are the real ones).
    @Test func envExampleListsEveryVariableWithItsDefault() throws {
        let text = try String(contentsOfFile: Self.deploy + "/systemd/wecom-bot.env.example", encoding: .utf8)
        let active = try DotEnvFile.parse(text)
        #expect(active["WECOM_DB_PATH"] == "/var/lib/wecom-bot/wecom-bot.sqlite3")
        let asShipped = try Configuration(values: active)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("#WECOM_") || line.hasPrefix("#DIFY_") ? line.dropFirst() : line
        }.joined(separator: "\n")
        let all = try DotEnvFile.parse(uncommented)
        #expect(try Configuration(values: all) == asShipped)
        #expect(asShipped == (try Configuration(values: ["WECOM_DB_PATH": "/var/lib/wecom-bot/wecom-bot.sqlite3"])))

        let sources = try FileManager.default.contentsOfDirectory(atPath: TestPaths.packageRoot + "/Sources/BotConfig")
            .map { try String(contentsOfFile: TestPaths.packageRoot + "/Sources/BotConfig/" + $0, encoding: .utf8) }
            .joined()
        let names = Set(sources.matches(of: /"((?:WECOM|DIFY)_[A-Z_]+)"/).map { String($0.output.1) })
        #expect(names.count >= 20)
        #expect(names.subtracting(all.keys).sorted() == [])
    }

    // MARK: helpers

    /// `[Section]`-less view of a unit file: key → values in order.
    static func unit(_ name: String) throws -> [String: [String]] {
        let text = try String(contentsOfFile: deploy + "/systemd/" + name, encoding: .utf8)
        var keys: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            keys[String(line[..<eq]), default: []].append(String(line[line.index(after: eq)...]))
        }
        return keys
    }

    static func groupName(_ gid: gid_t, root: String) -> String? {
        let groups = (try? String(contentsOfFile: root + "/etc/group", encoding: .utf8)) ?? ""
        for line in groups.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 2 && fields[2] == "\(gid)" { return String(fields[0]) }
        }
        return nil
    }

    /// Runs a program to completion: exit status and stdout + stderr.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// `deploy/nginx.conf` made runnable unprivileged: certificate, socket, log paths and ports
/// rewritten to a scratch folder (each rewrite must apply, so the test follows the file),
/// wrapped in a minimal main configuration.
struct NginxSite {
    let scratch: String
    let httpPort: Int
    let httpsPort: Int
    let mainConfig: String
    var accessLog: String { scratch + "/access.log" }

    init(scratch: String, fcgiSocket: String) throws {
        self.scratch = scratch
        httpPort = try freePort()
        httpsPort = try freePort()
        try runCommand(which("openssl") ?? "/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-keyout", scratch + "/privkey.pem", "-out", scratch + "/fullchain.pem",
        ])
        var site = try String(contentsOfFile: DeployTests.deploy + "/nginx.conf", encoding: .utf8)
        let rewrites = [
            ("/etc/ssl/wecom-bot/fullchain.pem", scratch + "/fullchain.pem"),
            ("/etc/ssl/wecom-bot/privkey.pem", scratch + "/privkey.pem"),
            ("unix:/run/wecom-bot/fcgi.sock", "unix:" + fcgiSocket),
            ("/var/log/nginx/wecom-bot.access.log", scratch + "/access.log"),
            ("/var/log/nginx/wecom-bot.error.log", scratch + "/error.log"),
            ("listen 80;", "listen 127.0.0.1:\(httpPort);"),
            ("listen 443 ssl;", "listen 127.0.0.1:\(httpsPort) ssl;"),
            ("listen [::]:80;", ""),  // the test machine may have no IPv6
            ("listen [::]:443 ssl;", ""),
        ]
        for (old, new) in rewrites {
            guard site.contains(old) else { throw FixtureError("deploy/nginx.conf no longer contains \"\(old)\"") }
            site = site.replacingOccurrences(of: old, with: new)
        }
        try site.write(toFile: scratch + "/wecom-bot.conf", atomically: true, encoding: .utf8)
        // `include fastcgi_params;` is relative to the configuration folder, as in /etc/nginx.
        try FileManager.default.copyItem(atPath: "/etc/nginx/fastcgi_params", toPath: scratch + "/fastcgi_params")
        for dir in ["client_body", "fastcgi", "proxy", "uwsgi", "scgi"] {
            try FileManager.default.createDirectory(atPath: scratch + "/" + dir, withIntermediateDirectories: true)
        }
        mainConfig = scratch + "/nginx.conf"
        try """
        \(geteuid() == 0 ? "user root root;" : "")
        worker_processes 1;
        pid \(scratch)/nginx.pid;
        error_log \(scratch)/error.log info;
        events { worker_connections 256; }
        http {
            client_body_temp_path \(scratch)/client_body;
            fastcgi_temp_path \(scratch)/fastcgi;
            proxy_temp_path \(scratch)/proxy;
            uwsgi_temp_path \(scratch)/uwsgi;
            scgi_temp_path \(scratch)/scgi;
            include \(scratch)/wecom-bot.conf;
        }

        """.write(toFile: mainConfig, atomically: true, encoding: .utf8)
    }

    private var nginx: String { get throws {
        guard let path = which("nginx") else { throw FixtureError("nginx is not installed (scripts/install-deps.sh)") }
        return path
    } }

    /// `nginx -t`: throws with nginx's message when the configuration is refused.
    func check() throws {
        try runCommand(try nginx, ["-t", "-q", "-p", scratch, "-c", mainConfig, "-e", scratch + "/error.log"])
    }

    func start() throws -> ChildProcess {
        let process = try ChildProcess(name: "nginx", executable: try nginx,
                                       arguments: ["-p", scratch, "-c", mainConfig, "-e", scratch + "/error.log", "-g", "daemon off;"],
                                       environment: [:], directory: scratch, logPath: scratch + "/nginx.stderr")
        let (http, https) = (httpPort, httpsPort)
        try waitUntil("nginx on ports \(http) and \(https)") { portAccepts(http) && portAccepts(https) }
        return process
    }

    /// One HTTPS request with the curl CLI (the certificate is self-signed: -k).
    func https(_ target: String, method: String = "GET", body: [UInt8]? = nil) throws -> HTTPResponse {
        var arguments = ["-sk", "-i", "--max-time", "10", "-X", method]
        if let body {
            let file = scratch + "/body-\(UUID().uuidString)"
            try Data(body).write(to: URL(fileURLWithPath: file))
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + file]
        }
        let raw = try runCommand(which("curl") ?? "/usr/bin/curl", arguments + ["https://127.0.0.1:\(httpsPort)" + target])
        guard let split = raw.range(of: "\r\n\r\n") else { throw FixtureError("no HTTP header in \(raw)") }
        let lines = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw FixtureError("bad status line in \(raw)")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPResponse(status: status, headers: headers, body: Array(raw[split.upperBound...].utf8))
    }
}
