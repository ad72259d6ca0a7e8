import CCurl

/// Owns a `curl_slist` of request headers and frees it (`curl_slist_free_all`) in `deinit`.
///
/// libcurl does not copy the list: it must outlive the transfer. ``CurlEasy/setHeaders(_:)``
/// keeps a reference until the handle is reset, so callers need not.
/// See <https://curl.se/libcurl/c/CURLOPT_HTTPHEADER.html>.
final class CurlHeaderList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    /// Builds the list from `"Name: value"` lines; `"Name:"` removes a header curl would add.
    init(_ lines: [String]) {
        for line in lines { append(line) }
    }

    /// Appends one header line (`curl_slist_append` copies the string).
    func append(_ line: String) {
        precondition(!line.contains("\r") && !line.contains("\n"), "header lines must not contain CR or LF")
        guard let grown = curl_slist_append(pointer, line) else {
            fatalError("curl_slist_append: out of memory")
        }
        pointer = grown
    }

    deinit { curl_slist_free_all(pointer) }
}

@available(*, unavailable)
extension CurlHeaderList: Sendable {}
