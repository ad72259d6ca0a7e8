#if canImport(Glibc)
import Glibc
#endif

/// A minimal FastCGI client (the web-server side of the protocol, as nginx speaks it): one
/// request per connection, no keep-conn. Record framing from the FastCGI 1.0 specification:
/// BEGIN_REQUEST, PARAMS name-value pairs, an empty PARAMS, STDIN, an empty STDIN; then
/// STDOUT/STDERR records until END_REQUEST.
public enum FastCGITestClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public struct Response {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var stderr: [UInt8]
        public var appStatus: UInt32

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    private enum RecordType: UInt8 {
        case beginRequest = 1, abortRequest, endRequest, params, stdin, stdout, stderr
    }

    /// Sends one request; `params` go out exactly as given (CONTENT_LENGTH included), so a test
    /// can declare a length that differs from `stdin`.
    public static func send(to socketPath: String, params: [(String, String)], stdin: [UInt8] = [],
                     timeoutSeconds: Int = 10) throws -> Response {
        let fd = try connect(to: socketPath, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        try writeAll(fd, requestBytes(params: params, stdin: stdin))
        return try readResponse(fd)
    }

    /// BEGIN_REQUEST, the params and their end record, the body and its end record.
    private static func requestBytes(params: [(String, String)], stdin: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out += record(.beginRequest, [0, 1, 0, 0, 0, 0, 0, 0])  // role RESPONDER, flags 0
        let encoded = params.flatMap { encodePair($0.0, $0.1) }
        for chunk in chunks(encoded) { out += record(.params, chunk) }
        out += record(.params, [])
        for chunk in chunks(stdin) { out += record(.stdin, chunk) }
        out += record(.stdin, [])
        return out
    }

    /// How the server ended a connection once its response had been read.
    public enum ServerClose: Equatable {
        /// The server's socket is gone: a byte sent after the end of the response gets EPIPE.
        case closedAtOnce
        /// The server shut down its sending side only and still reads, waiting for this side
        /// to close first (libfcgi's lingering close): the byte is accepted.
        case lingering
    }

    /// Sends one request like `send`, reads the response and the end of the stream, then sends
    /// one more byte to learn how the server closed. The server has already closed or shut
    /// down by then (the end of the stream was read), so the answer does not depend on timing.
    public static func sendObservingClose(to socketPath: String, params: [(String, String)],
                                          stdin: [UInt8] = []) throws -> (Response, ServerClose) {
        let fd = try connect(to: socketPath, timeoutSeconds: 10)
        defer { close(fd) }
        try writeAll(fd, requestBytes(params: params, stdin: stdin))
        let response = try readResponse(fd)
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        guard n == 0 else { throw Failure(description: "expected the end of the stream after END_REQUEST, recv gave \(n)") }
        let sent = Glibc.send(fd, &byte, 1, Int32(MSG_NOSIGNAL))
        if sent == 1 { return (response, .lingering) }
        guard errno == EPIPE else { throw Failure(description: "send after the response: errno \(errno)") }
        return (response, .closedAtOnce)
    }

    /// Params as nginx's fastcgi_params would send them for a request to `uri`.
    public static func nginxParams(method: String, scriptName: String, pathInfo: String, query: String = "",
                            contentType: String = "", contentLength: String = "") -> [(String, String)] {
        [
            ("QUERY_STRING", query), ("REQUEST_METHOD", method), ("CONTENT_TYPE", contentType),
            ("CONTENT_LENGTH", contentLength), ("SCRIPT_NAME", scriptName),
            ("REQUEST_URI", scriptName + pathInfo + (query.isEmpty ? "" : "?" + query)),
            ("DOCUMENT_URI", scriptName + pathInfo), ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_SOFTWARE", "nginx/1.22.1"),
            ("REMOTE_ADDR", "127.0.0.1"), ("REMOTE_PORT", "50000"), ("SERVER_ADDR", "127.0.0.1"),
            ("SERVER_PORT", "80"), ("SERVER_NAME", "localhost"), ("PATH_INFO", pathInfo),
        ]
    }

    // MARK: - Framing

    public static func encodePair(_ name: String, _ value: String) -> [UInt8] {
        let name = Array(name.utf8), value = Array(value.utf8)
        return encodeLength(name.count) + encodeLength(value.count) + name + value
    }

    private static func encodeLength(_ n: Int) -> [UInt8] {
        n < 128 ? [UInt8(n)]
            : [UInt8((n >> 24) & 0x7F) | 0x80, UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]
    }

    private static func record(_ type: RecordType, _ content: [UInt8], requestID: UInt16 = 1) -> [UInt8] {
        let padding = (8 - content.count % 8) % 8
        return [1, type.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
                UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
            + content + [UInt8](repeating: 0, count: padding)
    }

    private static func chunks(_ bytes: [UInt8], size: Int = 65535) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
    }

    private static func readResponse(_ fd: Int32) throws -> Response {
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        while true {
            let header = try readExactly(fd, 8)
            let type = header[1]
            let length = Int(header[4]) << 8 | Int(header[5])
            let content = try readExactly(fd, length + Int(header[6]))
            switch RecordType(rawValue: type) {
            case .stdout: stdout += content.prefix(length)
            case .stderr: stderr += content.prefix(length)
            case .endRequest:
                let appStatus = content.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                var response = try parseCGI(stdout)
                response.stderr = stderr
                response.appStatus = appStatus
                return response
            default: throw Failure(description: "unexpected record type \(type)")
            }
        }
    }

    /// Splits CGI output at the blank line and reads `Status: 200 OK`.
    public static func parseCGI(_ output: [UInt8]) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let split = (0...max(0, output.count - 4)).first(where: { output[$0..<min($0 + 4, output.count)].elementsEqual(separator) }) else {
            throw Failure(description: "no header/body separator in \(output.count) bytes of output")
        }
        let headText = String(decoding: output[..<split], as: UTF8.self)
        var headers: [(String, String)] = []
        for line in headText.split(separator: "\r\n", omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header line \"\(line)\"") }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop(while: { $0 == " " }))))
        }
        guard let statusLine = headers.first(where: { $0.0 == "Status" })?.1,
              let status = Int(statusLine.prefix(3)) else {
            throw Failure(description: "no Status header")
        }
        return Response(status: status, headers: headers, body: Array(output[(split + 4)...]), stderr: [], appStatus: 0)
    }

    // MARK: - Socket I/O

    private static func connect(to path: String, timeoutSeconds: Int) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect(\(path)): errno \(code)")
        }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        try bytes.withUnsafeBytes { raw in
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw Failure(description: "send: errno \(errno) after \(sent) bytes") }
                sent += n
            }
        }
    }

    private static func readExactly(_ fd: Int32, _ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        try buffer.withUnsafeMutableBytes { raw in
            while received < count {
                let n = recv(fd, raw.baseAddress! + received, count - received, 0)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw Failure(description: n == 0 ? "connection closed before END_REQUEST" : "recv: errno \(errno)")
                }
                received += n
            }
        }
        return buffer
    }
}
