import CCurl

/// Posts a JSON reply to a WeCom `response_url`, refusing every other destination.
///
/// Allowed: `https://qyapi.weixin.qq.com/cgi-bin/aibot/response` (scheme, host, port 443 and path
/// exact; any query), or any URL whose origin `scheme://host[:port]` equals one of
/// `allowedOrigins` (default ports made explicit before comparing; for tests and proxies).
/// The URL is parsed once by libcurl and that parse is what gets connected to. Redirects are not
/// followed. One poster per thread; it reuses its connection.
public final class ResponseURLPoster {
    /// WeCom's endpoint for active replies to AI-bot callbacks.
    public static let weComResponseURL = "https://qyapi.weixin.qq.com/cgi-bin/aibot/response"
    /// The most response-body bytes kept.
    static let maxResponseBytes = 64 << 10

    private let easy = CurlEasy()
    private let timeout: Double

    /// - Parameter timeout: seconds for one post (connecting gets at most 10).
    public init(timeout: Double = 15) {
        self.timeout = timeout
    }

    /// POSTs `json` (`Content-Type: application/json`) to `url`.
    /// - Returns: the HTTP status and the (bounded) response body; any status is returned, not thrown.
    public func post(json: [UInt8], to url: String, allowedOrigins: [String]) throws(ResponseURLError) -> (
        status: Int, body: String
    ) {
        let target = try Self.validate(url, allowedOrigins: allowedOrigins)
        easy.reset()
        easy.setURL(target)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_FOLLOWLOCATION, 0)
        easy.setPostBody(json)
        easy.setHeaders(CurlHeaderList(["Content-Type: application/json", "Accept: application/json", "Expect:"]))
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, seconds: min(timeout, 10))
        easy.set(CURLOPT_TIMEOUT_MS, seconds: timeout)
        let body = ByteBuffer()
        let failure = easy.perform(TransferSink { chunk in
            _ = body.appendTruncating(chunk, limit: Self.maxResponseBytes)
            return true  // read to the end so the connection stays reusable
        })
        let status = easy.responseCode
        if let failure {
            if failure.is(CURLE_OPERATION_TIMEDOUT) { throw .timeout }
            if status == 0 { throw .unreachable(failure.description) }
        }
        return (status, String(decoding: body.bytes, as: UTF8.self))
    }

    /// Parses `url` and checks it against the rules; the parsed handle is what gets used.
    static func validate(_ url: String, allowedOrigins: [String]) throws(ResponseURLError) -> CurlURL {
        guard let parsed = CurlURL(url), let origin = parsed.origin else { throw .invalidURL }
        guard parsed.user == nil else { throw .notAllowed(origin) }
        if origin == "https://qyapi.weixin.qq.com:443", parsed.path == "/cgi-bin/aibot/response" { return parsed }
        let allowed = allowedOrigins.contains { candidate in
            guard let allowed = CurlURL(candidate), allowed.path == "/", allowed.query == nil, allowed.user == nil,
                  let scheme = allowed.scheme, scheme == "http" || scheme == "https"
            else { return false }
            return allowed.origin == origin
        }
        guard allowed else { throw .notAllowed(origin) }
        return parsed
    }
}

@available(*, unavailable)
extension ResponseURLPoster: Sendable {}
