import CCurl

/// Owns one libcurl easy handle (`curl_easy_cleanup` in `deinit`) and everything libcurl may
/// still point at while a transfer runs: the error buffer, header lists, multipart bodies, URLs.
///
/// Reuse one handle for many requests: ``reset()`` clears the options but keeps the connection
/// cache, so a second request to the same host reuses the connection (docs/systems.md §4.2).
/// Not thread safe; one handle per thread. See <https://curl.se/libcurl/c/libcurl-easy.html>.
final class CurlEasy {
    /// The `CURL *`.
    let handle: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER`: `CURL_ERROR_SIZE` bytes that libcurl writes on failure.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Objects libcurl can see (header lists, mime bodies, URL handles), released by ``reset()``.
    private var keptAlive: [AnyObject] = []
    /// The host of the current URL, for ``CurlError``.
    private(set) var host = ""

    init() {
        CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init: out of memory") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        applyDefaults()
    }

    deinit {
        // Handle first, then what it pointed at (the order of curl's own examples).
        curl_easy_cleanup(handle)
        keptAlive.removeAll()
        errorBuffer.deallocate()
    }

    /// Clears every option (`curl_easy_reset`) but keeps open connections and the DNS and TLS
    /// session caches; then re-applies the defaults (error buffer, `NOSIGNAL`, user agent).
    func reset() {
        curl_easy_reset(handle)
        keptAlive.removeAll()
        host = ""
        applyDefaults()
    }

    private func applyDefaults() {
        errorBuffer[0] = 0
        set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        // Threads plus signals do not mix; no alarm()-based DNS timeouts (Debian's curl has AsynchDNS).
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_USERAGENT, "wecom-bot")
    }

    // MARK: Options

    func set(_ option: CURLoption, _ value: Int) {
        Self.check(CCurl_setopt_long(handle, option, value), option)
    }

    /// String options: libcurl copies the string, so a temporary C string is fine.
    func set(_ option: CURLoption, _ value: String) {
        Self.check(CCurl_setopt_string(handle, option, value), option)
    }

    /// Pointer options: the caller keeps the memory alive for as long as libcurl may use it.
    func set(_ option: CURLoption, pointer: UnsafeRawPointer?) {
        Self.check(CCurl_setopt_ptr(handle, option, pointer), option)
    }

    func set(_ option: CURLoption, offset value: Int64) {
        Self.check(CCurl_setopt_off(handle, option, curl_off_t(value)), option)
    }

    /// Sets `CURLOPT_URL` (copied by libcurl) and remembers its host for errors.
    func setURL(_ url: String) {
        host = CurlURL.host(of: url)
        set(CURLOPT_URL, url)
    }

    /// Sets an already validated URL handle (`CURLOPT_CURLU`) and keeps it alive.
    func setURL(_ url: CurlURL) {
        host = url.host ?? ""
        set(CURLOPT_CURLU, pointer: UnsafeRawPointer(url.handle))
        keptAlive.append(url)
    }

    /// Sets `CURLOPT_HTTPHEADER` and keeps the list alive until the next ``reset()``.
    func setHeaders(_ list: CurlHeaderList) {
        Self.check(CCurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list.pointer), CURLOPT_HTTPHEADER)
        keptAlive.append(list)
    }

    /// Sets `CURLOPT_MIMEPOST` and keeps the body alive until the next ``reset()``.
    func setMultipart(_ mime: CurlMime) {
        set(CURLOPT_MIMEPOST, pointer: UnsafeRawPointer(mime.pointer))
        keptAlive.append(mime)
    }

    /// A POST with `body` as its exact bytes (`CURLOPT_POSTFIELDSIZE_LARGE` + `CURLOPT_COPYPOSTFIELDS`,
    /// which copies them, so no buffer has to outlive this call).
    func setPostBody(_ body: [UInt8]) {
        set(CURLOPT_POST, 1)
        set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
        if body.isEmpty {
            set(CURLOPT_COPYPOSTFIELDS, "")
        } else {
            body.withUnsafeBytes { set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress) }
        }
    }

    /// `CURLOPT_WRITEFUNCTION` or `CURLOPT_HEADERFUNCTION`; nil restores curl's default.
    func set(_ option: CURLoption, callback: curl_write_callback?) {
        Self.check(CCurl_setopt_write(handle, option, callback), option)
    }

    /// `CURLOPT_XFERINFOFUNCTION` (only called while `CURLOPT_NOPROGRESS` is 0).
    func setProgressCallback(_ callback: curl_xferinfo_callback?) {
        Self.check(CCurl_setopt_xferinfo(handle, callback), CURLOPT_XFERINFOFUNCTION)
    }

    /// `CURLOPT_OPENSOCKETFUNCTION`; nil restores curl's own `socket()` call.
    func setOpenSocketCallback(_ callback: curl_opensocket_callback?) {
        Self.check(CCurl_setopt_opensocket(handle, callback), CURLOPT_OPENSOCKETFUNCTION)
    }

    /// Seconds as milliseconds for the `*_MS` options; 0 stays 0 ("no limit").
    func set(_ option: CURLoption, seconds: Double) {
        set(option, Int((max(0, seconds) * 1000).rounded(.up)))
    }

    // MARK: Transfer

    /// Runs the transfer (`curl_easy_perform`) with `sink` receiving the body and the callbacks.
    /// - Returns: nil on `CURLE_OK`, otherwise the error with the error buffer's text.
    func perform(_ sink: TransferSink) -> CurlError? {
        errorBuffer[0] = 0
        sink.install(on: self)
        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        sink.uninstall(from: self)
        guard code != CURLE_OK else { return nil }
        return CurlError(code: code, detail: String(cString: errorBuffer), host: host)
    }

    // MARK: Information

    /// The last response's status code (`CURLINFO_RESPONSE_CODE`); 0 before any response.
    var responseCode: Int { long(CURLINFO_RESPONSE_CODE) }

    /// New connections the last transfer opened (`CURLINFO_NUM_CONNECTS`); 0 means one was reused.
    var connectionsOpened: Int { long(CURLINFO_NUM_CONNECTS) }

    /// The last response's `Content-Type`, if any.
    var contentType: String? { string(CURLINFO_CONTENT_TYPE) }

    /// The URL of the last request, after redirects (`CURLINFO_EFFECTIVE_URL`).
    var effectiveURL: String? { string(CURLINFO_EFFECTIVE_URL) }

    /// Where the last response would have redirected to (`CURLINFO_REDIRECT_URL`).
    var redirectURL: String? { string(CURLINFO_REDIRECT_URL) }

    /// Seconds the last transfer took (`CURLINFO_TOTAL_TIME_T`).
    var totalTime: Double {
        var micros: curl_off_t = 0
        _ = CCurl_getinfo_off(handle, CURLINFO_TOTAL_TIME_T, &micros)
        return Double(micros) / 1_000_000
    }

    private func long(_ info: CURLINFO) -> Int {
        var value = 0
        return CCurl_getinfo_long(handle, info, &value) == CURLE_OK ? value : 0
    }

    private func string(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard CCurl_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// A failing `curl_easy_setopt` means this module passed a wrong option or value (or memory
    /// ran out): a bug, not a condition to handle (docs/architecture.md §10.2).
    private static func check(_ code: CURLcode, _ option: CURLoption) {
        precondition(code == CURLE_OK, "curl_easy_setopt(\(option.rawValue)) failed with CURLcode \(code.rawValue)")
    }
}

@available(*, unavailable)
extension CurlEasy: Sendable {}
