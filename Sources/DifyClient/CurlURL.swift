import CCurl

/// A URL parsed by libcurl's own parser (`CURLU`), so that what we check is what curl connects to.
///
/// Validation code (``SafeFetcher``, ``ResponseURLPoster``) reads the parts from here and then
/// hands the same handle to the transfer with `CURLOPT_CURLU`, leaving no room for a second parser
/// to disagree (`https://good@evil/` style tricks). See <https://curl.se/libcurl/c/curl_url_get.html>.
final class CurlURL {
    let handle: OpaquePointer

    /// Parses `string`; nil when curl rejects it. Schemes libcurl does not know are accepted
    /// here (`CURLU_NON_SUPPORT_SCHEME`) so callers can reject them by name.
    init?(_ string: String) {
        CurlGlobal.ensureInitialized()
        guard let handle = curl_url() else { fatalError("curl_url: out of memory") }
        guard curl_url_set(handle, CURLUPART_URL, string, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK else {
            curl_url_cleanup(handle)
            return nil
        }
        self.handle = handle
    }

    deinit { curl_url_cleanup(handle) }

    /// The lower-cased scheme, e.g. `https`.
    var scheme: String? { part(CURLUPART_SCHEME)?.lowercased() }
    /// The lower-cased host; IPv6 literals keep their brackets (`[::1]`).
    var host: String? { part(CURLUPART_HOST)?.lowercased() }
    /// The port, or the scheme's default port when the URL names none (nil for unknown schemes).
    var port: Int? { part(CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)).flatMap { Int($0) } }
    /// The path, `/` at least.
    var path: String? { part(CURLUPART_PATH) }
    /// The user name of `user:password@host`, when present.
    var user: String? { part(CURLUPART_USER) }
    /// The query string without `?`, when present.
    var query: String? { part(CURLUPART_QUERY) }

    /// `scheme://host:port` with the default port made explicit, for origin comparisons.
    var origin: String? {
        guard let scheme, let host, let port else { return nil }
        return "\(scheme)://\(host):\(port)"
    }

    /// The host of `string` for error messages, or "" when it does not parse.
    static func host(of string: String) -> String { CurlURL(string)?.host ?? "" }

    private func part(_ which: CURLUPart, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}

@available(*, unavailable)
extension CurlURL: Sendable {}
