import Foundation
import JSONCore

/// A reference SSE parser (WHATWG rules, as docs/dify-api.md §3.1 asks clients to parse): lines end
/// in LF, CRLF or CR; a blank line dispatches; `data:` lines accumulate; one space after the
/// colon is dropped; comments and unknown fields are ignored.
public enum StandInSSE {
    /// One server-sent event.
    public struct Event: Sendable, Equatable {
        /// The `event:` field; nil for plain `data:` events.
        public var event: String?
        /// `data:` lines joined with `\n`; nil when the event had none (e.g. `event: ping`).
        public var data: String?
        public var id: String?

        /// `data` parsed as JSON.
        public var json: JSONValue? { data.flatMap { JSONText.read(Data($0.utf8)) } }
        /// The JSON `event` member of a Dify data event, or the SSE `event:` field.
        public var name: String? { json?["event"]?.stringValue ?? event }
    }

    public static func parse(_ data: Data) -> [Event] {
        parse(String(decoding: data, as: UTF8.self))
    }

    public static func parse(_ text: String) -> [Event] {
        var events: [Event] = []
        var current = Event()
        var dataLines: [String]?
        var touched = false
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.components(separatedBy: "\n")
        // Without a final newline the last line is incomplete: drop it.
        lines.removeLast()
        for line in lines {
            if line.isEmpty {
                if touched {
                    current.data = dataLines?.joined(separator: "\n")
                    events.append(current)
                }
                current = Event()
                dataLines = nil
                touched = false
                continue
            }
            if line.hasPrefix(":") { continue }
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                field = Substring(line)
                value = ""
            }
            switch field {
            case "data": dataLines = (dataLines ?? []) + [String(value)]; touched = true
            case "event": current.event = String(value); touched = true
            case "id": current.id = String(value); touched = true
            default: break
            }
        }
        return events
    }
}
