import DifyStandIn
import Foundation
import Testing
import WeComCrypto

/// Issue 7: nothing lost, nothing duplicated, no lock errors — under concurrent load across
/// 4 responder processes (2 masters × 2 children, nginx round-robin) and several workers.
@Suite(.serialized) struct ReliabilityTests {
    @Test func duplicateDeliveriesUnderLoadGiveOneJobAndTheOriginalStreamID() throws {
        let s = try AnswerStack(workers: 0, instances: 2, processes: 2)
        defer { s.stop() }
        let (messages, copies) = (200, 3)
        let wecom = s.wecom, port = s.stack.port
        // Each copy is signed anew (its own nonce), as a redelivery would be; the copies of one
        // message are neighbours, so they are in flight at the same time on different threads.
        let requests = try (0..<messages * copies).map { i in
            try wecom.signedPost(WeComSimulator.text(msgID: "dup-\(i / copies)", content: "第\(i / copies)条"))
        }
        let ids = try Parallel.map(requests.count, width: 24) { i in
            let response = try HTTPClient.request(port: port, method: "POST", target: requests[i].target, body: requests[i].body)
            guard response.status == 200 else { throw FixtureError("status \(response.status)") }
            return try wecom.open(response.body).stream["id"] as? String ?? ""
        }.map { try $0.get() }

        for m in 0..<messages {
            #expect(Set(ids[m * copies..<(m + 1) * copies]).count == 1, "copies of dup-\(m) got different stream ids")
        }
        #expect(Set(ids).count == messages)
        #expect(try s.stack.sqlite("SELECT count(*) FROM jobs") == "\(messages)")
        #expect(try s.stack.sqlite("SELECT count(*) FROM streams") == "\(messages)")
        #expect(try s.stack.sqlite("SELECT count(*) FROM messages") == "\(messages)")
        let stored = try s.stack.sqlite("SELECT msgid || '=' || id FROM streams ORDER BY msgid").split(separator: "\n").map(String.init)
        let answered = (0..<messages).map { "dup-\($0)=\(ids[$0 * copies])" }
        #expect(stored.sorted() == answered.sorted())
    }

    @Test func fourRespondersAndFourWorkersNeverSeeABusyDatabase() throws {
        let s = try AnswerStack(workers: 0, instances: 2, processes: 2)
        defer { s.stop() }
        // Slow enough that answers are written while other messages arrive and streams are polled.
        let chunks = ["一，", "二，", "三，", "四，", "五，", "六，", "七，", "八。"]
        s.dify.defaultScript = .answer(chunks: chunks, delayMillis: 40)
        for _ in 0..<4 { try s.stack.startWorker(concurrency: 4) }
        let wecom = s.wecom, port = s.stack.port, messages = 160
        let statuses = StatusTally()
        let finals = try Parallel.map(messages, width: 16) { i -> String in
            let (target, body) = try wecom.signedPost(WeComSimulator.text(msgID: "busy-\(i)", content: "问\(i)", userID: "u\(i % 7)"))
            let first = try HTTPClient.request(port: port, method: "POST", target: target, body: body)
            statuses.add(first.status)
            let id = try wecom.open(first.body).stream["id"] as? String ?? ""
            // Refreshes like WeCom's (but every 20 ms) until the final frame.
            var frame: [String: Any] = [:]
            try waitUntil(timeout: 60, "stream \(id)") {
                guard let refresh = try? wecom.signedPost(WeComSimulator.refresh(streamID: id)),
                      let response = try? HTTPClient.request(port: port, method: "POST", target: refresh.target, body: refresh.body)
                else { statuses.add(-1); return false }
                statuses.add(response.status)
                frame = (try? wecom.open(response.body).stream) ?? [:]
                return frame["finish"] as? Bool == true
            }
            return frame["content"] as? String ?? ""
        }.map { try $0.get() }

        #expect(finals.allSatisfy { $0 == chunks.joined() })
        #expect(statuses.all.keys.sorted() == [200], "statuses: \(statuses.all)")
        #expect(try s.stack.sqlite("SELECT state || ':' || count(*) FROM jobs GROUP BY state") == "done:\(messages)")
        let logs = s.stack.logs + ((try? String(contentsOfFile: s.stack.nginx.prefix + "/error.log", encoding: .utf8)) ?? "")
        for needle in ["SQLITE_BUSY", "database is locked", "SQLite error"] {
            #expect(!logs.contains(needle), "\(needle) in the logs")
        }
    }
}

/// Counts HTTP statuses from several threads.
final class StatusTally: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var counts: [Int: Int] = [:]
    func add(_ status: Int) { lock.lock(); counts[status, default: 0] += 1; lock.unlock() }
    var all: [Int: Int] { lock.lock(); defer { lock.unlock() }; return counts }
}
