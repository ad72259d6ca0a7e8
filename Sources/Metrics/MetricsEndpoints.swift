/// The HTTP side of metrics: `GET /metrics` and `GET /healthz`, 404 for other paths, 405 for
/// other methods, 400 for anything that is not an HTTP/1 request head. A pure function of the
/// request head, so that it is tested without sockets.
public struct MetricsEndpoints: Sendable {
    public let metrics: @Sendable () -> String
    public let health: @Sendable () -> Health

    public init(metrics: @escaping @Sendable () -> String, health: @escaping @Sendable () -> Health) {
        self.metrics = metrics
        self.health = health
    }

    public struct Response: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: String
        /// `HEAD`: the headers of the GET answer without its body.
        public var omitsBody = false

        /// The whole answer on the wire; every connection is closed after one answer.
        public var bytes: [UInt8] {
            let reason: String
            switch status {
            case 200: reason = "OK"
            case 400: reason = "Bad Request"
            case 404: reason = "Not Found"
            case 405: reason = "Method Not Allowed"
            case 503: reason = "Service Unavailable"
            default: reason = "Error"
            }
            let bodyBytes = Array(body.utf8)
            var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\n"
            head += "Content-Length: \(bodyBytes.count)\r\nConnection: close\r\n"
            if status == 405 { head += "Allow: GET, HEAD\r\n" }
            head += "\r\n"
            return Array(head.utf8) + (omitsBody ? [] : bodyBytes)
        }
    }

    /// The answer to a request whose head (up to and without the blank line) is `head`.
    public func respond(toHead head: [UInt8]) -> Response {
        let firstLine = head.prefix { $0 != 0x0D && $0 != 0x0A }
        let parts = firstLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)), parts[2].count == 8,
              !parts[0].isEmpty, parts[0].allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }),
              parts[1].first == UInt8(ascii: "/") else {
            return Self.text(400, "bad request\n")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = parts[1].prefix { $0 != UInt8(ascii: "?") }
        let path = String(decoding: target, as: UTF8.self)
        guard path == "/metrics" || path == "/healthz" else { return Self.text(404, "not found\n") }
        guard method == "GET" || method == "HEAD" else { return Self.text(405, "method not allowed\n") }
        var response: Response
        if path == "/metrics" {
            response = Response(status: 200, contentType: PrometheusText.contentType, body: metrics())
        } else {
            switch health() {
            case .healthy: response = Self.text(200, "ok\n")
            case let .unhealthy(reason): response = Self.text(503, Self.oneLine(reason) + "\n")
            }
        }
        response.omitsBody = method == "HEAD"
        return response
    }

    private static func text(_ status: Int, _ body: String) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", body: body)
    }

    private static func oneLine(_ reason: String) -> String {
        String(reason.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
