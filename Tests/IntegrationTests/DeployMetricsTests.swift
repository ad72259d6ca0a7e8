import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// The monitoring files under `deploy/` as an operator loads them: the alert rules pass
/// `promtool check rules` and their unit test (`promtool test rules`, which fires each alert),
/// the example scrape configuration passes `promtool check config`, the Grafana dashboard parses
/// and its queries are valid PromQL, and every metric the rules and the dashboard read is one that
/// `wecom-fcgi`, `wecom-worker` and `wecom-ws` started with `--metrics` really export. A renamed
/// family would otherwise leave an alert that can never fire and an empty panel.
@Suite(.serialized) struct DeployMetricsTests {
    static let prometheus = TestPaths.packageRoot + "/deploy/prometheus"
    static let dashboard = TestPaths.packageRoot + "/deploy/grafana/wecom-bot.json"

    // MARK: promtool on the shipped files

    @Test func rulesPassPromtoolCheckAndTheirUnitTest() throws {
        try Self.promtool(["check", "rules", Self.prometheus + "/wecom-bot-rules.yml"])
        let tested = try Self.promtool(["test", "rules", Self.prometheus + "/wecom-bot-rules.test.yml"])
        #expect(tested.contains("SUCCESS"), "\(tested)")
        // The unit test covers every alert the rules file defines.
        let alerts = Set(try Self.ruleFile().alerts)
        let testText = try String(contentsOfFile: Self.prometheus + "/wecom-bot-rules.test.yml", encoding: .utf8)
        #expect(alerts == ["WeComNoWorkerAlive", "WeComQueuedJobTooOld", "WeComDeadJobsRising", "WeComCallbackErrors",
                           "WeComBotDisconnected"])
        for alert in alerts { #expect(testText.contains("alertname: \(alert)\n"), "no firing case for \(alert)") }
    }

    @Test func exampleScrapeConfigPassesPromtoolAndNamesTheJobsTheRulesUse() throws {
        let config = Self.prometheus + "/prometheus.yml.example"
        try Self.promtool(["check", "config", config])
        let text = try String(contentsOfFile: config, encoding: .utf8)
        let jobs = Set(Self.matches(of: #"job_name: *([A-Za-z0-9_-]+)"#, in: text))
        #expect(jobs == ["wecom-fcgi", "wecom-worker", "wecom-ws"])
        var ruleJobs: [String] = []
        for expression in try Self.ruleFile().expressions {
            for selected in Self.matches(of: #"job=~?"([^"]+)""#, in: expression) {
                ruleJobs += selected.split(separator: "|").map(String.init)
            }
        }
        #expect(!ruleJobs.isEmpty)
        for job in ruleJobs { #expect(jobs.contains(job), "the rules read job \(job), which nothing scrapes") }
    }

    @Test func dashboardParsesAndEveryQueryIsValidPromQL() throws {
        let queries = try Self.dashboardQueries()
        #expect(queries.count >= 12)
        // promtool parses PromQL only inside rule files: each query becomes a recording rule, with
        // Grafana's own interval variable replaced by a fixed range.
        let scratch = try TestPaths.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (index, query) in queries.enumerated() {
            let expression = query.replacingOccurrences(of: "$__rate_interval", with: "5m")
            let quoted = String(decoding: try JSONSerialization.data(withJSONObject: expression, options: [.fragmentsAllowed]),
                                as: UTF8.self)
            rules += "      - record: dashboard:query\(index)\n        expr: \(quoted)\n"
        }
        try rules.write(toFile: scratch + "/dashboard.yml", atomically: true, encoding: .utf8)
        try Self.promtool(["check", "rules", scratch + "/dashboard.yml"])
    }

    // MARK: the names the views read are the names the services export

    enum Service: String, CaseIterable, CustomTestStringConvertible {
        case responder = "wecom-fcgi", worker = "wecom-worker", holder = "wecom-ws"
        var testDescription: String { rawValue }
    }

    /// Each process kind started with `--metrics 127.0.0.1:PORT` serves a scrape `promtool check
    /// metrics` accepts.
    @Test(arguments: Service.allCases) func serviceServesMetrics(_ service: Service) throws {
        let stack = try LongConnectionStack()
        defer { stack.stop() }
        let (process, scrape) = try Self.scrape(service, on: stack)
        defer { process.stop() }
        #expect(!Self.families(in: scrape).isEmpty)
        try ResponderMetricsTests.promtoolAccepts(scrape)
    }

    @Test func everyMetricTheRulesAndTheDashboardReadIsExported() throws {
        let stack = try LongConnectionStack()
        defer { stack.stop() }
        var exported: Set<String> = []
        // A service that does not start is one failure, and the names of the others are still checked.
        for service in Service.allCases {
            do {
                let (process, scrape) = try Self.scrape(service, on: stack)
                process.stop()
                exported.formUnion(Self.families(in: scrape))
            } catch {
                Issue.record(error)
            }
        }
        let rules = try Self.ruleFile().expressions, queries = try Self.dashboardQueries()
        #expect(rules.count == 5)
        for (source, expressions) in [("rule", rules), ("dashboard", queries)] {
            for expression in expressions {
                let names = Self.metricNames(in: expression)
                #expect(!names.isEmpty, "\(source) reads no metric: \(expression)")
                for name in names where name != "up" {
                    #expect(exported.contains(name), "\(source) reads \(name), which no service exports: \(expression)")
                }
            }
        }
    }

    // MARK: helpers

    /// Starts `service` on the stack's store with `--metrics 127.0.0.1:PORT` and returns it with
    /// its first complete scrape.
    static func scrape(_ service: Service, on stack: LongConnectionStack) throws -> (ChildProcess, String) {
        let port = try freePort()
        let metrics = ["--metrics", "127.0.0.1:\(port)"]
        let process: ChildProcess
        switch service {
        case .worker:
            process = try WorkerProcess.start(index: 0, database: stack.database, environment: stack.environment,
                                              scratch: stack.scratch, arguments: metrics)
        case .responder, .holder:
            let environment = stack.environment.merging([
                "WECOM_TOKEN": "tok" + SecureRandom.alphanumeric(12), "WECOM_ENCODING_AES_KEY": EncodingAESKeyGenerator.make(),
            ]) { _, new in new }
            let arguments = service == .responder ? ["--socket", stack.scratch + "/fcgi.sock"] + metrics : metrics
            process = try ChildProcess(name: service.rawValue, executable: try TestPaths.binary(service.rawValue),
                                       arguments: arguments, environment: environment, directory: stack.scratch,
                                       logPath: stack.scratch + "/\(service.rawValue)-metrics.log")
        }
        var scrape: HTTPResponse?
        do {
            try waitUntil(timeout: 20, interval: 0.02, "\(service.rawValue) serving /metrics on \(port)") {
                guard process.isRunning else { return true }
                scrape = try? HTTPClient.request(port: port, method: "GET", target: "/metrics")
                return scrape?.status == 200
            }
        } catch {
            process.stop()
            throw FixtureError("\(error): \(process.log.suffix(2000))")
        }
        guard process.isRunning, let scrape else {
            throw FixtureError("\(service.rawValue) \(metrics.joined(separator: " ")) exited: \(process.log.suffix(2000))")
        }
        return (process, scrape.text)
    }

    /// The names a scrape answers to: each family of a `# TYPE` line, and a histogram's
    /// `_bucket`, `_sum` and `_count` series.
    static func families(in scrape: String) -> Set<String> {
        var names: Set<String> = []
        for line in scrape.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let fields = line.split(separator: " ")
            guard fields.count == 4 else { continue }
            let name = String(fields[2])
            names.insert(name)
            if fields[3] == "histogram" { names.formUnion(["_bucket", "_sum", "_count"].map { name + $0 }) }
        }
        return names
    }

    /// The metric names in a PromQL expression: with quoted label values removed, every
    /// identifier that is one of ours (`wecom_…`) or Prometheus's `up`; functions, keywords and
    /// label names are neither.
    static func metricNames(in expression: String) -> Set<String> {
        let unquoted = expression.replacingOccurrences(of: #""(\\.|[^"\\])*""#, with: "\"\"", options: .regularExpression)
        return Set(matches(of: #"(?<![A-Za-z0-9_:$])([A-Za-z_:][A-Za-z0-9_:]*)"#, in: unquoted)
            .filter { $0 == "up" || $0.range(of: #"^wecom_[a-z0-9_]+$"#, options: .regularExpression) != nil })
    }

    /// Every `expr` of the dashboard's panels.
    static func dashboardQueries() throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dashboard))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let panels = root["panels"] as? [[String: Any]] else { throw FixtureError("the dashboard has no panels") }
        #expect((root["schemaVersion"] as? Int).map { $0 >= 36 } == true)
        let variables = (root["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        #expect(variables.contains { $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" })
        // Rows may hold panels of their own when collapsed.
        let all = panels + panels.flatMap { $0["panels"] as? [[String: Any]] ?? [] }
        return all.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    /// The alert names and expressions of the rules file (a plain `expr:` or a folded `>-` block).
    static func ruleFile() throws -> (alerts: [String], expressions: [String]) {
        let lines = try String(contentsOfFile: prometheus + "/wecom-bot-rules.yml", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        var alerts: [String] = [], expressions: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index], trimmed = line.trimmingCharacters(in: .whitespaces)
            index += 1
            if trimmed.hasPrefix("- alert:") { alerts.append(trimmed.dropFirst(8).trimmingCharacters(in: .whitespaces)) }
            guard trimmed.hasPrefix("expr:") else { continue }
            let rest = trimmed.dropFirst(5).trimmingCharacters(in: .whitespaces)
            guard rest == ">-" || rest == ">" || rest == "|" else { expressions.append(rest); continue }
            let indent = line.prefix { $0 == " " }.count
            var block: [String] = []
            while index < lines.count, lines[index].prefix(while: { $0 == " " }).count > indent {
                block.append(lines[index].trimmingCharacters(in: .whitespaces))
                index += 1
            }
            expressions.append(block.joined(separator: " "))
        }
        return (alerts, expressions)
    }

    /// The first capture group of every match of `pattern`.
    static func matches(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
    }

    /// Runs promtool with `arguments`; a non-zero exit fails with what it said. A missing promtool
    /// fails too: these files ship untested otherwise.
    @discardableResult
    static func promtool(_ arguments: [String]) throws -> String {
        guard let promtool = which("promtool") else {
            throw FixtureError("promtool is not installed (Debian package prometheus: make deps)")
        }
        let (status, said) = try DeployTests.run(promtool, arguments)
        #expect(status == 0, "promtool \(arguments.joined(separator: " ")): \(said)")
        return said
    }
}
