import DifyStandIn
import Foundation

/// Memory and database size at one moment of the soak.
struct SoakSample {
    var seconds: Double
    var fcgiKiB = 0, workersKiB = 0, nginxKiB = 0, databaseBytes = 0

    static func take(_ s: AnswerStack, at seconds: Double) -> SoakSample {
        var sample = SoakSample(seconds: seconds)
        let rss = { (pids: [Int32]) in pids.compactMap(ProcessTree.rssKiB).reduce(0, +) }
        let masters = s.stack.responders.map(\.pid)
        sample.fcgiKiB = rss(masters + masters.flatMap { ProcessTree.children(of: $0) })
        sample.workersKiB = rss(s.stack.workers.filter(\.isRunning).map(\.pid))
        if let text = try? String(contentsOfFile: s.stack.nginx.prefix + "/nginx.pid", encoding: .utf8),
           let master = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            sample.nginxKiB = rss([master] + ProcessTree.children(of: master))
        }
        sample.databaseBytes = ["", "-wal"].compactMap {
            (try? FileManager.default.attributesOfItem(atPath: s.stack.databasePath + $0))?[.size] as? Int
        }.reduce(0, +)
        return sample
    }
}

/// The soak's figures: what went in, what came out, what went wrong.
struct SoakReport {
    static let stillWorking = "回答仍在生成中，完成后会另外发送给你。"
    var outcomes: [String: Int] = [:]
    var errors: [String: Int] = [:]
    var lost = 0
    var duplicated = 0
    var lines: [String] = []

    init(stack s: AnswerStack, ledger: SoakLedger, samples: [SoakSample], kills: Int, settled: Bool, seconds: Double) throws {
        let sent = ledger.snapshot
        var posted: [String: [String]] = [:]
        for post in s.dify.postedResponses {
            posted[post.code ?? "", default: []].append(post.json?["markdown"]?["content"]?.stringValue ?? "")
        }
        for message in sent {
            let kind = SoakKind.of(message.n)
            let expected = kind.expectedContent(message.n), full = SoakKind.chunks(message.n).joined()
            guard message.finished, let final = message.final else { lost += 1; outcomes["lost (never finished)", default: 0] += 1; continue }
            let outcome: String
            if let expected, final == expected {
                outcome = "answered in the stream"
            } else if final.contains(Self.stillWorking), posted["SOAK-\(message.n)"] == [full] {
                outcome = "closed at the deadline, answered via response_url"
            } else if final.contains("抱歉"), expected == nil {
                outcome = "failed with a readable notice (\(kind.rawValue), as scripted)"
            } else if final.components(separatedBy: SoakKind.chunks(message.n)[0]).count > 2 {
                outcome = "DUPLICATED text"
                duplicated += 1
            } else {
                outcome = "UNEXPECTED final frame (\(kind.rawValue)): " + final.prefix(40).replacingOccurrences(of: "\n", with: " ")
            }
            outcomes[outcome, default: 0] += 1
        }
        duplicated += posted.values.filter { $0.count > 1 }.count
        duplicated += ledger.locked { $0.problems["redelivery got another stream id"] ?? 0 }
        duplicated += Int(try s.stack.sqlite("SELECT count(*) FROM (SELECT msgid FROM streams GROUP BY msgid HAVING count(*) > 1)")) ?? 0
        if !settled { lost += Int(try s.stack.sqlite("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")) ?? 0 }
        errors = ledger.locked { $0.problems }
        for row in try s.stack.sqlite("SELECT e || '|' || count(*) FROM (SELECT substr(last_error, 1, 60) e FROM jobs WHERE state = 'dead') GROUP BY e").split(separator: "\n") {
            let parts = row.split(separator: "|")
            errors["job dead: \(parts.first ?? "")", default: 0] += Int(parts.last ?? "") ?? 0
        }
        let logs = s.stack.logs
        for needle in ["job will retry", "lease lost", "response_url delivery failed", "job failed unexpectedly",
                       "SQLite error", "database is locked", "restarting"] {
            let count = logs.components(separatedBy: needle).count - 1
            if count > 0 { errors["log: \(needle)", default: 0] += count }
        }
        let refused = errors.filter { $0.key.hasPrefix("message:") }.values.reduce(0, +)
        let (requests, refreshes, duplicates) = ledger.locked { ($0.requests, $0.refreshes, $0.duplicatesSent) }
        lines = [
            String(format: "soak: %.0f s, 2 wecom-fcgi × 2 processes, 2 workers (×8), worker SIGKILLs: %d", seconds, kills),
            "messages in: \(sent.count + refused) (accepted \(sent.count), refused \(refused)); redeliveries \(duplicates); "
                + "refreshes \(refreshes); HTTP requests \(requests)",
            "answers finished: \(sent.count - lost) of \(sent.count); lost: \(lost); duplicated: \(duplicated)",
            "outcomes:",
        ] + outcomes.sorted { $0.key < $1.key }.map { "  \($0.value)\t\($0.key)" }
            + ["errors by kind:"] + errors.sorted { $0.key < $1.key }.map { "  \($0.value)\t\($0.key)" }
            + ["jobs: " + (try s.stack.sqlite("SELECT group_concat(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM jobs GROUP BY state)")),
               "database: \(samples.last?.databaseBytes ?? 0) bytes (file + WAL)",
               "RSS over time (MiB): t\tfcgi(all)\tworkers\tnginx\tdb(KiB)"]
            + samples.map {
                String(format: "  %4.0f s\t%.1f\t%.1f\t%.1f\t%d", $0.seconds, Double($0.fcgiKiB) / 1024,
                       Double($0.workersKiB) / 1024, Double($0.nginxKiB) / 1024, $0.databaseBytes / 1024)
            }
    }

    var text: String { lines.joined(separator: "\n") }
}
