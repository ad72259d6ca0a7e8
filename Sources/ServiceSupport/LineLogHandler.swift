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
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: LogTimestamp.shared.current())
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.level.rawValue.utf8)  // what `"\(level)"` prints, without reflection
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: label.utf8)
        line.append(UInt8(ascii: ":"))
        for (key, value) in fields(of: event).sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            switch value {
            case let .string(text): line.append(contentsOf: text.utf8)
            default: line.append(contentsOf: "\(value)".utf8)
            }
        }
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: event.source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: event.message.description.utf8)
        line.append(UInt8(ascii: "\n"))
        output.submit(line, urgent: event.level >= .warning)
    }

    /// The handler's metadata, the provider's, the event's and the error's, each key once: a
    /// later source wins, as with `StreamLogHandler`'s merge. Gathered as pairs rather than
    /// merged dictionaries: the request line carries five or six fields, and copying and
    /// rehashing a dictionary per source cost more than the rest of the line. The sources are
    /// taken winner first and empty ones left out, so a key is looked up only in the non-empty
    /// sources that beat it: for a request line (the event's fields and the serving thread's),
    /// once per thread field.
    private func fields(of event: LogEvent) -> [(key: String, value: Logger.Metadata.Value)] {
        var errorFields: Logger.Metadata = [:]
        if let error = event.error {
            errorFields["error.message"] = "\(error)"
            errorFields["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let sources = [errorFields, event.metadata ?? [:], metadataProvider?.get() ?? [:], metadata].filter { !$0.isEmpty }
        var pairs: [(key: String, value: Logger.Metadata.Value)] = []
        pairs.reserveCapacity(sources.reduce(0) { $0 + $1.count })
        for (index, source) in sources.enumerated() {
            for (key, value) in source where !sources[..<index].contains(where: { $0[key] != nil }) {
                pairs.append((key, value))
            }
        }
        return pairs
    }
}
