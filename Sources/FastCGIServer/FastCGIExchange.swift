/// One FastCGI request as the application sees it: the CGI parameters it needs and the
/// whole body, already read.
public struct FastCGIRequest: Sendable {
    public var method: String
    /// `PATH_INFO` (with nginx `fastcgi_split_path_info ^(/wecom/callback)(/.+)$`: `/<botid>`).
    public var pathInfo: String
    /// `SCRIPT_NAME` (`/wecom/callback`).
    public var scriptName: String
    /// `REQUEST_URI` (path and query as the client sent them), used when PATH_INFO is empty.
    public var requestURI: String
    /// `QUERY_STRING`, still percent-encoded.
    public var queryString: String
    public var contentType: String
    public var body: [UInt8]

    public init(method: String, pathInfo: String = "", scriptName: String = "", requestURI: String = "",
                queryString: String = "", contentType: String = "", body: [UInt8] = []) {
        self.method = method; self.pathInfo = pathInfo; self.scriptName = scriptName
        self.requestURI = requestURI; self.queryString = queryString
        self.contentType = contentType; self.body = body
    }
}

/// The application's answer. `logFields` and `reason` go into the one log line per request.
public struct FastCGIResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// Extra headers (name, value).
    public var headers: [(String, String)]
    /// A one-line reason for a rejection (logged, never sent to the client beyond the status text).
    public var reason: String?
    /// Request metadata for the log line: botid, msgtype, msgid, stream id. Never secrets.
    public var logFields: [(String, String)]
    /// A routine request whose success is logged at debug level instead of info.
    public var routine: Bool

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8] = [],
                headers: [(String, String)] = [], reason: String? = nil, logFields: [(String, String)] = [],
                routine: Bool = false) {
        self.status = status; self.contentType = contentType; self.body = body
        self.headers = headers; self.reason = reason; self.logFields = logFields; self.routine = routine
    }
}

/// What a child process runs for every request. Built after fork, so it may own
/// per-process resources (a SQLite connection).
public protocol FastCGIApplication: AnyObject {
    func respond(to request: FastCGIRequest) -> FastCGIResponse
    /// Called once per application when every serving thread of the process has finished its
    /// last request, before the process exits. Nothing by default.
    func servingDidStop()
    /// Called after the server refused a request itself (`refusal`), `elapsed` after it was
    /// accepted. Nothing by default.
    func didRefuse(_ refusal: FastCGIRefusal, elapsed: Duration)
}

extension FastCGIApplication {
    public func servingDidStop() {}
    public func didRefuse(_ refusal: FastCGIRefusal, elapsed: Duration) {}
}
