import DifyStandIn
import Foundation

/// What the soak's flaky Dify does with each message, chosen from the message's number, and
/// what WeCom should see in the end.
enum SoakKind: String, CaseIterable, Sendable {
    case normal, slow, errorEvent, http500Once, http500Always, pastDeadline

    /// Roughly 60/10/10/10/5/5 percent.
    static func of(_ n: Int) -> SoakKind {
        switch n % 20 {
        case 0, 1: return .slow
        case 2, 3: return .errorEvent
        case 4, 5: return .http500Once
        case 6: return .http500Always
        case 7: return .pastDeadline
        default: return .normal
        }
    }

    static func chunks(_ n: Int) -> [String] { (1...4).map { "第\(n)号回答第\($0)段。" } }

    /// The script for the `attempt`-th chat request (0-based) of message `n`.
    func script(_ n: Int, attempt: Int) -> DifyScript {
        switch self {
        case .normal: return .answer(chunks: Self.chunks(n), delayMillis: 150)
        case .slow: return .answer(chunks: Self.chunks(n), delayMillis: 1_500)
        case .errorEvent:
            return .answerThenError(chunks: ["部分"], code: "completion_request_error", message: "flaky model", status: 400)
        case .http500Once: return attempt == 0 ? .internalServerError : .answer(chunks: Self.chunks(n), delayMillis: 100)
        case .http500Always: return .internalServerError
        case .pastDeadline: return .answer(chunks: Self.chunks(n), delayMillis: 5_000)  // done at 15 s, past the 12-s deadline
        }
    }

    /// The final stream content WeCom should show: the full answer, or nil when a failure
    /// notice (or the deadline notice) is expected instead.
    func expectedContent(_ n: Int) -> String? {
        switch self {
        case .normal, .slow, .http500Once: return Self.chunks(n).joined()
        case .errorEvent, .http500Always, .pastDeadline: return nil
        }
    }
}

/// Counts chat requests per message so that retries can get another script.
final class SoakAttempts: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var counts: [Int: Int] = [:]
    func next(_ n: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        counts[n, default: 0] += 1
        return counts[n]! - 1
    }
}

/// The outcome of every message the soak sent, and the other tallies of the report.
final class SoakLedger: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    struct Sent { var n: Int; var streamID: String; var final: String?; var finished = false }
    private let lock = NSLock()
    private(set) var sent: [Int: Sent] = [:]
    private(set) var problems: [String: Int] = [:]
    private(set) var requests = 0
    private(set) var refreshes = 0
    private(set) var duplicatesSent = 0

    func locked<T>(_ body: (SoakLedger) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(self) }
    func record(_ n: Int, streamID: String) { locked { $0.sent[n] = Sent(n: n, streamID: streamID) } }
    func finish(_ n: Int, content: String) { locked { $0.sent[n]?.final = content; $0.sent[n]?.finished = true } }
    func problem(_ kind: String) { locked { $0.problems[kind, default: 0] += 1 } }
    func request(refresh: Bool = false) { locked { $0.requests += 1; if refresh { $0.refreshes += 1 } } }
    func duplicate() { locked { $0.duplicatesSent += 1 } }
    var snapshot: [Sent] { locked { Array($0.sent.values) } }
}
