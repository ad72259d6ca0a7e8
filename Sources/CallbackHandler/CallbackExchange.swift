/// A callback as the handler needs it, independent of the transport (FastCGI today).
public struct CallbackRequest: Sendable {
    public var method: String
    /// The path below the mount point, e.g. `/bot_7` (FastCGI PATH_INFO), or the full
    /// request path `/wecom/callback/bot_7` when PATH_INFO is not set.
    public var path: String
    /// The raw (still percent-encoded) query string.
    public var query: String
    public var body: [UInt8]

    public init(method: String, path: String, query: String, body: [UInt8]) {
        self.method = method; self.path = path; self.query = query; self.body = body
    }
}

/// The handler's answer, plus what the request log line should say about it.
public struct CallbackResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(String, String)]
    /// One-line reason for a rejection or failure; nil on success.
    public var reason: String?
    /// botid, msgtype, msgid, stream — never secrets.
    public var logFields: [(String, String)]
    /// A routine stream refresh poll (one per open stream per second, nothing new to say):
    /// its log line is at debug level instead of info.
    public var routine = false
    /// What the callback was, as far as it could be read.
    public var kind: CallbackKind = .unknown
    /// Why it was refused; nil when answered 200.
    public var rejection: RejectionCategory?
    /// A store call failed (refused as unavailable or internal).
    public var storeFailed = false

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8] = [],
                headers: [(String, String)] = [], reason: String? = nil, logFields: [(String, String)] = []) {
        self.status = status; self.contentType = contentType; self.body = body
        self.headers = headers; self.reason = reason; self.logFields = logFields
    }
}
