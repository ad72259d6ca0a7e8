import Foundation

/// A strict-enough `multipart/form-data` parser (RFC 7578): finds the boundary in the
/// Content-Type, then splits on `CRLF--boundary`, so part bodies may hold any bytes.
public enum StandInMultipart {
    /// One part of a `multipart/form-data` body.
    public struct Part: Sendable {
        public let headers: HeaderFields
        /// `name` from `Content-Disposition`.
        public let name: String?
        /// `filename` from `Content-Disposition` (nil for plain fields).
        public let filename: String?
        public let contentType: String?
        public let body: Data

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum ParseError: Error, Sendable, CustomStringConvertible {
        case notMultipart(String?)
        case missingBoundary
        case malformed(String)

        public var description: String {
            switch self {
            case .notMultipart(let type): return "not multipart/form-data: \(type ?? "no Content-Type")"
            case .missingBoundary: return "multipart Content-Type without boundary"
            case .malformed(let what): return "malformed multipart body: \(what)"
            }
        }
    }

    /// The boundary of a `multipart/form-data` Content-Type value.
    public static func boundary(contentType: String?) throws -> String {
        guard let contentType else { throw ParseError.notMultipart(nil) }
        let parsed = HeaderFields.parameters(of: contentType)
        guard parsed.value.lowercased() == "multipart/form-data" else { throw ParseError.notMultipart(contentType) }
        guard let boundary = parsed.parameters["boundary"], !boundary.isEmpty else { throw ParseError.missingBoundary }
        return boundary
    }

    public static func parse(body: Data, contentType: String?) throws -> [StandInMultipart.Part] {
        try parse(body: body, boundary: boundary(contentType: contentType))
    }

    public static func parse(body: Data, boundary: String) throws -> [StandInMultipart.Part] {
        let bytes = [UInt8](body)
        let dashBoundary = Array("--\(boundary)".utf8)
        let delimiter = [0x0D, 0x0A] + dashBoundary
        // The first boundary may open the body directly or follow a preamble.
        var position: Int
        if bytes.starts(with: dashBoundary) {
            position = dashBoundary.count
        } else if let found = find(delimiter, in: bytes, from: 0) {
            position = found + delimiter.count
        } else {
            throw ParseError.malformed("no opening boundary")
        }
        var parts: [StandInMultipart.Part] = []
        while true {
            // After a boundary: "--" closes, CRLF opens a part (transport padding allowed).
            if bytes.count >= position + 2 && bytes[position] == 0x2D && bytes[position + 1] == 0x2D {
                return parts
            }
            while position < bytes.count && (bytes[position] == 0x20 || bytes[position] == 0x09) { position += 1 }
            guard bytes.count >= position + 2, bytes[position] == 0x0D, bytes[position + 1] == 0x0A else {
                throw ParseError.malformed("boundary not followed by CRLF")
            }
            position += 2
            let headerText: String
            let contentStart: Int
            if bytes[position...].starts(with: [0x0D, 0x0A]) {
                headerText = ""
                contentStart = position + 2
            } else if let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes, from: position) {
                headerText = String(decoding: bytes[position..<headerEnd], as: UTF8.self)
                contentStart = headerEnd + 4
            } else {
                throw ParseError.malformed("part headers not terminated")
            }
            var headers = HeaderFields()
            for line in headerText.components(separatedBy: "\r\n") where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else {
                    throw ParseError.malformed("part header \(line.debugDescription)")
                }
                headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            guard let contentEnd = find(delimiter, in: bytes, from: contentStart) else {
                throw ParseError.malformed("part not closed by a boundary")
            }
            let disposition = headers["Content-Disposition"].map(HeaderFields.parameters(of:))
            parts.append(StandInMultipart.Part(headers: headers, name: disposition?.parameters["name"],
                                       filename: disposition?.parameters["filename"],
                                       contentType: headers["Content-Type"],
                                       body: Data(bytes[contentStart..<contentEnd])))
            position = contentEnd + delimiter.count
        }
    }

    /// First index of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var index = from
                let last = hay.count - pin.count
                while index <= last {
                    if hay[index] == first {
                        var matched = true
                        for offset in 1..<pin.count where hay[index + offset] != pin[offset] {
                            matched = false
                            break
                        }
                        if matched { return index }
                    }
                    index += 1
                }
                return nil
            }
        }
    }

    /// Builds a `multipart/form-data` body (for the self-check and for tests).
    public static func build(boundary: String, fields: [(name: String, value: String)],
                             file: (field: String, filename: String, contentType: String, bytes: Data)?) -> Data {
        var body = Data()
        for field in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\n\r\n\(field.value)\r\n".utf8)
        }
        if let file {
            body += Data(("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; " +
                "filename=\"\(file.filename)\"\r\nContent-Type: \(file.contentType)\r\n\r\n").utf8)
            body += file.bytes
            body += Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return body
    }
}
