import Foundation

/// Why reading an HTTP message off a socket failed.
enum HTTPParseError: Error, CustomStringConvertible, Sendable {
    /// The peer closed (or the socket timed out) in the middle of a message.
    case truncated
    case lineTooLong
    case malformed(String)
    case bodyTooLarge(Int)

    var description: String {
        switch self {
        case .truncated: return "connection closed in the middle of an HTTP message"
        case .lineTooLong: return "HTTP line too long"
        case .malformed(let what): return "malformed HTTP: \(what)"
        case .bodyTooLarge(let size): return "HTTP body too large (\(size) bytes)"
        }
    }
}

/// Buffered reads from one blocking socket. Owned by a single thread (not shared).
final class SocketReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32) { self.fd = fd }

    private var available: Int { buffer.count - start }

    /// Reads once more from the socket. False at end of stream / error.
    private func fill() -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 65_536 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { Sockets.receive(fd, into: $0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// True when at least one byte is buffered or arrives (blocks until then or EOF).
    func hasMoreData() -> Bool { available > 0 || fill() }

    /// One line without its CRLF (or bare LF). Nil at a clean end of stream before any byte.
    func readLine(maxLength: Int = 65_536) throws -> String? {
        var scanFrom = start
        while true {
            if let newline = buffer[scanFrom...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            if available > maxLength { throw HTTPParseError.lineTooLong }
            scanFrom = buffer.count
            let offset = scanFrom - start
            guard fill() else {
                if available == 0 { return nil }
                throw HTTPParseError.truncated
            }
            scanFrom = start + offset
        }
    }

    /// Exactly `count` bytes.
    func readExactly(_ count: Int) throws -> [UInt8] {
        while available < count {
            guard fill() else { throw HTTPParseError.truncated }
        }
        let bytes = Array(buffer[start..<(start + count)])
        start += count
        return bytes
    }

    /// Up to `limit` bytes: what is buffered, else one `recv` worth; nil at end of stream.
    func readSome(limit: Int = Int.max) -> [UInt8]? {
        if available == 0 && !fill() { return nil }
        let end = start + min(available, limit)
        let bytes = Array(buffer[start..<end])
        start = end
        return bytes
    }

    /// Everything until the peer closes, up to `limit` bytes.
    func readToEnd(limit: Int) throws -> [UInt8] {
        while fill() {
            if available > limit { throw HTTPParseError.bodyTooLarge(available) }
        }
        let bytes = Array(buffer[start...])
        start = buffer.count
        return bytes
    }
}
