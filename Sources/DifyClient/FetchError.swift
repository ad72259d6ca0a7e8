/// Why ``SafeFetcher/fetch(_:maxBytes:allowPrivate:maxRedirects:timeout:)`` failed.
/// Descriptions carry hosts and addresses, never paths or query strings.
public enum FetchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL (or a redirect) uses a scheme other than http or https.
    case scheme(String)
    /// The URL does not parse.
    case invalidURL
    /// The connection would go to a loopback, private, link-local, CGNAT, … address.
    case forbiddenAddress(String)
    /// The body is larger than this many bytes.
    case tooLarge(Int)
    /// More redirects than allowed.
    case tooManyRedirects
    /// The final response's status is not 2xx.
    case http(Int)
    /// No response: DNS, connection refused, TLS, reset.
    case unreachable(String)
    /// The fetch took longer than its timeout.
    case timeout

    public var description: String {
        switch self {
        case .scheme(let scheme): "fetch refused: scheme \(scheme) is not http or https"
        case .invalidURL: "fetch refused: the URL does not parse"
        case .forbiddenAddress(let address): "fetch refused: \(address) is not a public address"
        case .tooLarge(let limit): "fetch stopped: body exceeds \(limit) bytes"
        case .tooManyRedirects: "fetch stopped: too many redirects"
        case .http(let status): "fetch failed: HTTP \(status)"
        case .unreachable(let reason): "fetch failed: \(reason)"
        case .timeout: "fetch failed: timed out"
        }
    }
}
