/// Why ``ResponseURLPoster/post(json:to:allowedOrigins:)`` failed. Never includes the query
/// string: a WeCom response URL carries its one-time `response_code` there.
public enum ResponseURLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL does not parse.
    case invalidURL
    /// The URL is neither WeCom's response endpoint nor in an allowed origin; carries the origin.
    case notAllowed(String)
    /// No response (DNS, refused, TLS, reset).
    case unreachable(String)
    /// The post took longer than its timeout.
    case timeout

    public var description: String {
        switch self {
        case .invalidURL: "response_url refused: it does not parse"
        case .notAllowed(let origin): "response_url refused: \(origin) is not an allowed destination"
        case .unreachable(let reason): "response_url post failed: \(reason)"
        case .timeout: "response_url post failed: timed out"
        }
    }
}
