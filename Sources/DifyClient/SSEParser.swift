/// One dispatched server-sent event.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field; nil when the block had none (the SSE default type, "message").
    public var event: String?
    /// The `data:` lines joined with `\n`; "" for a block with only `event:` (Dify's `event: ping`).
    public var data: String
    /// The `id:` field of this block, if any.
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// An incremental `text/event-stream` parser fed raw byte chunks as the network delivers them.
///
/// Follows the WHATWG "event stream interpretation" with one deliberate difference: a block that
/// has an `event:` field but no `data:` is dispatched too (with empty `data`), because Dify's
/// keep-alive is `event: ping` followed by a blank line (docs/dify-api.md §3.1).
///
/// - Lines end in LF, CR or CRLF, also when the CR and LF arrive in different chunks.
/// - Chunks may split anywhere, even inside a UTF-8 sequence: bytes are decoded per complete line.
/// - `data:` lines accumulate and join with `\n`; one space after the colon is dropped;
///   `:` starts a comment; a line without a colon is a field with an empty value; unknown fields
///   are ignored; a leading byte-order mark is skipped.
/// - A blank line dispatches the pending event. ``finish()`` also dispatches an unterminated one.
/// - The bytes of one pending event (current line plus its data) are capped by ``maxEventBytes``.
public struct SSEParser: Sendable {
    /// Thrown when one event grows past ``SSEParser/maxEventBytes``.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case eventTooLarge(limit: Int)

        public var description: String {
            switch self {
            case .eventTooLarge(let limit): "SSE event exceeds \(limit) bytes"
            }
        }
    }

    /// The most bytes one pending event may hold (line buffer plus data), 8 MiB by default.
    public let maxEventBytes: Int
    /// The last `id:` value seen, carried across events as the SSE spec's "last event ID".
    public private(set) var lastEventID: String?
    /// The last valid `retry:` value (milliseconds).
    public private(set) var retryMilliseconds: Int?

    private var line: [UInt8] = []
    private var lineEndedWithCR = false
    private var atStreamStart = true
    private var eventName: String?
    private var eventID: String?
    private var data: [UInt8] = []
    private var hasData = false

    public init(maxEventBytes: Int = 8 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Feeds one chunk and returns the events it completed, in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var start = 0
        let count = bytes.count
        if lineEndedWithCR, count > 0 {
            lineEndedWithCR = false
            if bytes[0] == Self.lf { start = 1 }  // the LF of a CRLF split across chunks
        }
        while start < count {
            var end = start
            while end < count, bytes[end] != Self.lf, bytes[end] != Self.cr { end += 1 }
            if end > start {
                guard line.count + data.count + (end - start) <= maxEventBytes else {
                    discardPendingEvent()
                    throw .eventTooLarge(limit: maxEventBytes)
                }
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            }
            guard end < count else { break }
            if let event = processLine() { events.append(event) }
            if bytes[end] == Self.cr {
                if end + 1 < count {
                    if bytes[end + 1] == Self.lf { end += 1 }
                } else {
                    lineEndedWithCR = true
                }
            }
            start = end + 1
        }
        return events
    }

    /// Feeds one chunk held in an array.
    public mutating func feed(_ bytes: [UInt8]) throws(Failure) -> [SSEEvent] {
        var result: Result<[SSEEvent], Failure> = .success([])
        bytes.withUnsafeBytes { raw in result = Result { () throws(Failure) in try feed(raw) } }
        return try result.get()
    }

    /// Ends the stream: a final line without a line break is processed, and an event still
    /// pending (no closing blank line) is dispatched. The parser can then be fed a new stream.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty, let event = processLine() { events.append(event) }
        if let event = dispatch() { events.append(event) }
        lineEndedWithCR = false
        atStreamStart = true
        return events
    }

    // MARK: Lines

    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20

    /// Interprets the buffered line and clears it; returns the event a blank line dispatched.
    private mutating func processLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: line.count < 64 << 10) }
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty { return dispatch() }
        if line[0] == Self.colon { return nil }  // comment
        let colon = line.firstIndex(of: Self.colon) ?? line.endIndex
        let name = line[..<colon]
        var valueStart = colon == line.endIndex ? colon : colon + 1
        if valueStart < line.endIndex, line[valueStart] == Self.space { valueStart += 1 }
        let value = line[valueStart...]
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(Self.lf) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            eventName = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) {
                let id = String(decoding: value, as: UTF8.self)
                eventID = id
                lastEventID = id
            }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ (0x30...0x39).contains($0) }),
               let milliseconds = Int(String(decoding: value, as: UTF8.self)) {
                retryMilliseconds = milliseconds
            }
        default:
            break
        }
        return nil
    }

    /// Emits the pending event, if it has data or a name, and starts a new one.
    private mutating func dispatch() -> SSEEvent? {
        defer { discardPendingEvent() }
        guard hasData || eventName != nil else { return nil }
        return SSEEvent(event: eventName, data: String(decoding: data, as: UTF8.self), id: eventID)
    }

    private mutating func discardPendingEvent() {
        eventName = nil
        eventID = nil
        data.removeAll(keepingCapacity: data.count < 64 << 10)
        hasData = false
        line.removeAll()
    }
}
