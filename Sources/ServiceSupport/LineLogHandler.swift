#if canImport(Glibc)
import Glibc
#endif
import Logging

/// swift-log's `StreamLogHandler` line format on stderr, built for the request path:
/// `<time> <level> <label>: <sorted key=value metadata> [<source>] <message>`. Finished lines go
/// to a ``LogLineBuffer``, which writes whole lines only, so lines from threads and processes
/// never interleave (a serving process gathers its routine lines there; see that type). The
/// timestamp is formatted once per second (`StreamLogHandler` calls `localtime` and `strftime`
/// for every line, and glibc re-reads /etc/localtime each time: a `stat` per request).
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: LogLineBuffer

    /// Writes to `output`; by default standard error's shared buffer.
    public init(label: String, output: LogLineBuffer = .standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: LogTimestamp.shared.current())
        line.append(contentsOf: " \(event.level) \(label):".utf8)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.append(contentsOf: " \(key)=\(value)".utf8)
        }
        line.append(contentsOf: " [\(event.source)] \(event.message)\n".utf8)
        output.submit(line, urgent: event.level >= .warning)
    }
}
