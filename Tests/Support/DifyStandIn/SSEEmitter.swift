import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes Dify's SSE framing (docs/dify-api.md §3.1): `data: <one-line JSON>\n\n` per event and
/// `event: ping\n\n` keep-alives — optionally cutting each event into 2–3 writes at awkward
/// places: inside `data:`, inside a multi-byte UTF-8 character, between the two final
/// newlines. Cut points rotate from event to event, deterministically.
final class SSEEmitter {
    private let writer: HTTPResponseWriter
    private let split: Bool
    private let pauseMicros: Int
    private let style: DifyStandIn.JSONStyle
    private let eventIDLines: Bool
    private let streamStart = Int(Date().timeIntervalSince1970 * 1000)
    private var events = 0
    private var pings = 0

    init(writer: HTTPResponseWriter, split: Bool, pauseMicros: Int, style: DifyStandIn.JSONStyle,
         eventIDLines: Bool = false) {
        self.writer = writer
        self.split = split
        self.pauseMicros = pauseMicros
        self.style = style
        self.eventIDLines = eventIDLines
    }

    /// `event: ping` + blank line.
    func ping() -> Bool {
        pings += 1
        let bytes = Array("event: ping\n\n".utf8)
        return send(bytes, cuts: split && pings % 2 == 0 ? [9] : [])
    }

    /// One data event with `members` in order (preceded by an `id: <redis cursor>` line when
    /// `eventIDLines`, as newer Dify builds streaming through Redis do).
    func event(_ members: [(String, JSONText)]) -> Bool {
        let idLine = eventIDLines ? "id: \(streamStart)-\(events)\n" : ""
        let bytes = Array((idLine + "data: " + JSONText.object(members).encoded(style) + "\n\n").utf8)
        defer { events += 1 }
        guard split else { return send(bytes, cuts: []) }
        return send(bytes, cuts: SSEEmitter.cuts(for: bytes, variant: events))
    }

    /// The split points for an event's bytes (`data: {…}\n\n`).
    static func cuts(for bytes: [UInt8], variant: Int) -> [Int] {
        // Inside the first multi-byte UTF-8 character: right after its lead byte.
        let insideCharacter = bytes.firstIndex { $0 >= 0xC0 }.map { $0 + 1 }
        let middle = bytes.count / 2
        let candidates: [Int]
        switch variant % 3 {
        case 0: candidates = [insideCharacter ?? middle, bytes.count - 1]   // …\n | \n
        case 1: candidates = [3, insideCharacter ?? middle]                 // dat | a: {…
        default: candidates = [bytes.count - 2]                             // {…} | \n\n
        }
        return Array(Set(candidates.filter { $0 > 0 && $0 < bytes.count })).sorted()
    }

    private func send(_ bytes: [UInt8], cuts: [Int]) -> Bool {
        var start = 0
        for cut in cuts + [bytes.count] where cut > start {
            if start > 0 && pauseMicros > 0 { usleep(UInt32(pauseMicros)) }
            guard writer.write(Array(bytes[start..<cut])) else { return false }
            start = cut
        }
        return true
    }
}
