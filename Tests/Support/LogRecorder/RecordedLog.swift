import Foundation
import Logging

/// Every line logged through ``handler``, as `<level> <message> <metadata>`, for tests that
/// check what a component reports (and that it never logs a secret).
public final class RecordedLog: @unchecked Sendable {
    // @unchecked: `lines` is only touched while holding `lock`.
    private let lock = NSLock()
    private var recorded: [String] = []

    public init() {}

    public var lines: [String] {
        lock.lock(); defer { lock.unlock() }
        return recorded
    }

    public func contains(_ text: String) -> Bool { lines.contains { $0.contains(text) } }

    fileprivate func append(_ line: String) {
        lock.lock(); recorded.append(line); lock.unlock()
    }

    public var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    private struct Handler: LogHandler {
        let log: RecordedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
            log.append("\(event.level) \(event.message) \(fields.sorted { $0.key < $1.key })")
        }
    }
}
