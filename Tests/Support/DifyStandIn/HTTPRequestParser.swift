import Foundation

/// Reads HTTP/1.x requests off a connection: request line, headers, then a body framed by
/// `Content-Length` or `Transfer-Encoding: chunked`. Answers `Expect: 100-continue` (libcurl
/// sends it before larger POST bodies and would otherwise wait a second).
enum HTTPRequestParser {
    static let maxHeaderBytes = 64 * 1024
    static let maxBodyBytes = 256 * 1024 * 1024

    /// The next request, or nil when the peer closed cleanly between requests.
    static func next(from reader: SocketReader, connectionID: Int,
                     sendContinue: () -> Void) throws -> HTTPRequest? {
        var requestLine: String?
        // Tolerate stray empty lines between keep-alive requests (RFC 9112 §2.2).
        while true {
            guard let line = try reader.readLine(maxLength: maxHeaderBytes) else { return nil }
            if !line.isEmpty { requestLine = line; break }
        }
        guard let requestLine else { return nil }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            throw HTTPParseError.malformed("request line \(requestLine.debugDescription)")
        }
        let headers = try readHeaders(from: reader)
        let version = String(parts[2])

        let transferEncoding = headers["Transfer-Encoding"]?.lowercased() ?? ""
        let chunked = transferEncoding.contains("chunked")
        var contentLength = 0
        if !chunked, let value = headers["Content-Length"] {
            guard let length = Int(value.trimmingCharacters(in: .whitespaces)), length >= 0 else {
                throw HTTPParseError.malformed("Content-Length \(value.debugDescription)")
            }
            guard length <= maxBodyBytes else { throw HTTPParseError.bodyTooLarge(length) }
            contentLength = length
        }
        if (chunked || contentLength > 0),
           headers["Expect"]?.lowercased() == "100-continue" {
            sendContinue()
        }

        let body: [UInt8]
        if chunked {
            body = try readChunkedBody(from: reader)
        } else {
            body = try reader.readExactly(contentLength)
        }
        return HTTPRequest(method: String(parts[0]), target: String(parts[1]), version: version,
                           headers: headers, body: Data(body), connectionID: connectionID)
    }

    /// Header lines up to the blank line. Obsolete line folding is joined with a space.
    static func readHeaders(from reader: SocketReader) throws -> HeaderFields {
        var headers = HeaderFields()
        var total = 0
        while true {
            guard let line = try reader.readLine(maxLength: maxHeaderBytes) else {
                throw HTTPParseError.truncated
            }
            if line.isEmpty { return headers }
            total += line.utf8.count
            if total > maxHeaderBytes { throw HTTPParseError.lineTooLong }
            if line.first == " " || line.first == "\t", var last = headers.fields.last {
                last.value += " " + line.trimmingCharacters(in: .whitespaces)
                var fields = headers.fields
                fields[fields.count - 1] = last
                headers = HeaderFields(fields)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw HTTPParseError.malformed("header line \(line.debugDescription)")
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name, value)
        }
    }

    /// Decodes a chunked body (chunk extensions and trailers are read and dropped).
    static func readChunkedBody(from reader: SocketReader) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            guard let sizeLine = try reader.readLine() else { throw HTTPParseError.truncated }
            let hex = sizeLine.split(separator: ";", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? ""
            guard let size = Int(hex, radix: 16), size >= 0 else {
                throw HTTPParseError.malformed("chunk size \(sizeLine.debugDescription)")
            }
            if size == 0 {
                _ = try readHeaders(from: reader) // trailers, up to the final blank line
                return body
            }
            guard body.count + size <= maxBodyBytes else { throw HTTPParseError.bodyTooLarge(body.count + size) }
            body += try reader.readExactly(size)
            guard let end = try reader.readLine(), end.isEmpty else {
                throw HTTPParseError.malformed("chunk not followed by CRLF")
            }
        }
    }
}
