import CCurl

/// A failed libcurl transfer: the `CURLcode`, its `curl_easy_strerror` text, the contents of
/// `CURLOPT_ERRORBUFFER` and the host of the URL.
///
/// Only the host is kept, never the path or query string: query strings carry secrets such as
/// WeCom's `response_code` or Dify's file signatures. See <https://curl.se/libcurl/c/libcurl-errors.html>.
struct CurlError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The raw `CURLcode`, e.g. 7 for `CURLE_COULDNT_CONNECT`.
    let code: UInt32
    /// `curl_easy_strerror(code)`.
    let message: String
    /// The transfer's error buffer (more specific than `message`; may be empty), query strings cut.
    let detail: String
    /// The host of the request URL (may be empty).
    let host: String

    init(code: CURLcode, detail: String, host: String) {
        self.code = code.rawValue
        self.message = String(cString: curl_easy_strerror(code))
        self.detail = Self.redactQueries(detail)
        self.host = host
    }

    /// Whether this is `code`.
    func `is`(_ code: CURLcode) -> Bool { self.code == code.rawValue }

    var description: String {
        var text = "curl error \(code): \(message)"
        if !detail.isEmpty, detail != message { text += " (\(detail))" }
        if !host.isEmpty { text += " [host \(host)]" }
        return text
    }

    /// Cuts every whitespace-separated word at its first `?`, so a URL that libcurl quoted in
    /// its error buffer cannot leak its query string.
    static func redactQueries(_ text: String) -> String {
        guard text.contains("?") else { return text }
        return text.split(separator: " ", omittingEmptySubsequences: false).map { word in
            guard let mark = word.firstIndex(of: "?") else { return String(word) }
            return word[..<mark] + "?…"
        }.joined(separator: " ")
    }
}
