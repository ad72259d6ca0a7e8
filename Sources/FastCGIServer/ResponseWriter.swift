/// Encodes a `FastCGIResponse` as CGI response headers plus body:
/// `Status: 200 OK\r\nContent-Type: …\r\nContent-Length: n\r\n<extra headers>\r\n<body>`.
enum ResponseWriter {
    /// Headers this writer always sends itself; extra headers of the same name are dropped.
    private static let reservedHeaders: Set<String> = ["status", "content-type", "content-length"]

    static func encode(_ response: FastCGIResponse) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + response.body.count)
        appendHeader("Status", "\(response.status) \(reasonPhrase(response.status))", to: &out)
        appendHeader("Content-Type", response.contentType, to: &out)
        appendHeader("Content-Length", String(response.body.count), to: &out)
        for (name, value) in response.headers where isValidHeaderName(name) {
            guard !reservedHeaders.contains(name.lowercased()) else { continue }
            appendHeader(name, value, to: &out)
        }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: response.body)
        return out
    }

    /// `Name: value` and CRLF; control characters in the value (CR and LF above all) become
    /// spaces: no header injection.
    private static func appendHeader(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        for byte in value.utf8 { out.append(byte < 0x20 || byte == 0x7F ? UInt8(ascii: " ") : byte) }
        out.append(contentsOf: "\r\n".utf8)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 100..<200: "Informational"
        case 200..<300: "Success"
        case 300..<400: "Redirection"
        case 400..<500: "Client Error"
        default: "Server Error"
        }
    }

    /// A token (RFC 9110 `tchar`s) only: anything else could split or corrupt the header block.
    static func isValidHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
