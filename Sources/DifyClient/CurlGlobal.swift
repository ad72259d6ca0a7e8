import CCurl

/// Process-wide libcurl initialisation (`curl_global_init`), done exactly once.
///
/// "This function must be called at least once within a program before the program calls any
/// other function in libcurl" (<https://curl.se/libcurl/c/curl_global_init.html>). Every
/// ``CurlEasy`` calls ``ensureInitialized()`` first; a worker may also call it at start-up,
/// before it spawns threads. Fork before the first use, never after (docs/systems.md §4.1).
public enum CurlGlobal {
    /// The `CURLcode` of the one `curl_global_init(CURL_GLOBAL_DEFAULT)` call. A global `static let`
    /// is initialised lazily and atomically (`swift_once`), so concurrent first uses are safe.
    private static let initResult: UInt32 = curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue

    /// Runs `curl_global_init` on first call; later calls are free. Traps if libcurl could not
    /// initialise (out of memory or a broken TLS backend): nothing in this module can work then.
    public static func ensureInitialized() {
        precondition(initResult == CURLE_OK.rawValue, "curl_global_init failed with CURLcode \(initResult)")
    }
}
