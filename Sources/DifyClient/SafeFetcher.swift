import CCurl

/// Outbound GETs of untrusted URLs (WeCom media, images in Dify answers) with SSRF and size limits.
///
/// - Only http and https, for the first request and every redirect (`CURLOPT_PROTOCOLS_STR`,
///   `CURLOPT_REDIR_PROTOCOLS_STR`); at most `maxRedirects` redirects.
/// - Every connection's actual address is checked by ``AddressPolicy`` in
///   `CURLOPT_OPENSOCKETFUNCTION`, after DNS and for each redirect hop, so neither DNS tricks nor
///   redirects reach private networks unless `allowPrivate`.
/// - The size cap holds while downloading: an honest `Content-Length` fails early
///   (`CURLOPT_MAXFILESIZE_LARGE`), and the write callback stops as soon as the body passes it.
/// - Environment proxies are ignored (`CURLOPT_PROXY ""`): the address check must see the target.
///
/// Each fetch uses a fresh easy handle, so a connection opened under one policy is never reused
/// under another. Blocking; the value itself is `Sendable` and may be shared.
public struct SafeFetcher: Sendable {
    /// Addresses allowed regardless of the policy. Tests only: lets a loopback server play the
    /// "public" first hop so that a redirect to another loopback address can be refused.
    var alsoAllowed: Set<IPAddress> = []

    public init() {}

    /// Downloads `url`.
    ///
    /// - Parameters:
    ///   - maxBytes: the largest body accepted.
    ///   - allowPrivate: permit loopback, private, link-local and CGNAT addresses (a LAN Dify).
    ///   - maxRedirects: redirects followed; one more fails with ``FetchError/tooManyRedirects``.
    ///   - timeout: seconds for the whole fetch; connecting gets at most 10 of them.
    public func fetch(
        _ url: String, maxBytes: Int, allowPrivate: Bool, maxRedirects: Int = 3, timeout: Double = 30
    ) throws(FetchError) -> FetchedResource {
        guard let parsed = CurlURL(url), let scheme = parsed.scheme else { throw .invalidURL }
        guard scheme == "http" || scheme == "https" else { throw .scheme(scheme) }
        let policy = AddressPolicy(allowPrivate: allowPrivate)
        let alsoAllowed = self.alsoAllowed
        let easy = CurlEasy()
        easy.setURL(parsed)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_FOLLOWLOCATION, 1)
        easy.set(CURLOPT_MAXREDIRS, max(0, maxRedirects))
        easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(maxBytes))
        easy.set(CURLOPT_PROXY, "")
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, seconds: min(timeout, 10))
        easy.set(CURLOPT_TIMEOUT_MS, seconds: timeout)
        let body = ByteBuffer()
        var badStatus: Int?
        let sink = TransferSink(addressFilter: { policy.permits($0) || alsoAllowed.contains($0) }) { chunk in
            // Do not download error pages: the status is known once the body starts.
            let status = easy.responseCode
            guard (200..<300).contains(status) else {
                badStatus = status
                return false
            }
            return body.append(chunk, limit: maxBytes)
        }
        let failure = easy.perform(sink)
        if let refused = sink.refusedAddress { throw .forbiddenAddress(refused) }
        if body.overflowed { throw .tooLarge(maxBytes) }
        if let badStatus { throw .http(badStatus) }
        if let failure {
            switch UInt32(failure.code) {
            case CURLE_FILESIZE_EXCEEDED.rawValue: throw .tooLarge(maxBytes)
            case CURLE_TOO_MANY_REDIRECTS.rawValue: throw .tooManyRedirects
            case CURLE_OPERATION_TIMEDOUT.rawValue: throw .timeout
            case CURLE_UNSUPPORTED_PROTOCOL.rawValue:
                // A refused redirect leaves its target as the effective URL.
                throw .scheme((easy.effectiveURL ?? easy.redirectURL).flatMap { CurlURL($0)?.scheme } ?? "unsupported")
            default: throw .unreachable(failure.description)
            }
        }
        let status = easy.responseCode
        guard (200..<300).contains(status) else { throw .http(status) }
        return FetchedResource(bytes: body.bytes, contentType: easy.contentType, finalURL: easy.effectiveURL ?? url)
    }
}
