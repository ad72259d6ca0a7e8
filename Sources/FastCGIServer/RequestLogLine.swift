import Logging

/// The one log line per request: method, path, status, microseconds, the application's
/// `logFields` and `reason`. Never the query string (it carries signatures) nor the body.
/// Info for 1xx–3xx (debug when the application marks the request routine), warning for
/// 4xx and 5xx. Nothing is formatted for a level the logger drops.
struct RequestLogLine {
    let method: String
    let path: String
    let response: FastCGIResponse
    let elapsed: Duration
    let writeFailed: Bool

    func emit(to logger: Logger) {
        let level: Logger.Level = response.status >= 400 ? .warning : response.routine ? .debug : .info
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = ["fcgi.duration_us": "\(Self.microseconds(elapsed))"]
        for (key, value) in response.logFields { metadata[key] = .string(Self.safe(value)) }
        if let reason = response.reason { metadata["fcgi.reason"] = .string(Self.safe(reason)) }
        if writeFailed { metadata["fcgi.write_failed"] = "true" }
        logger.log(level: level,
                   "\(Self.safe(method)) \(Self.safe(path)) \(response.status)", metadata: metadata)
    }

    /// `SCRIPT_NAME` + `PATH_INFO`, or `REQUEST_URI` without its query when both are empty.
    static func path(scriptName: String, pathInfo: String, requestURI: String) -> String {
        let path = scriptName + pathInfo
        if !path.isEmpty { return path }
        return String(requestURI.prefix(while: { $0 != "?" }))
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// Client-controlled text (PATH_INFO is percent-decoded by nginx, so may hold a newline):
    /// control characters become `?`, and long values are cut, so one request stays one line.
    static func safe(_ text: String, limit: Int = 256) -> String {
        // Printable ASCII within the limit (nearly every value) is already safe.
        if text.utf8.count <= limit, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var result = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit).map {
            $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" ? "?" : $0
        }))
        if text.unicodeScalars.count > limit { result += "…" }
        return result
    }
}
