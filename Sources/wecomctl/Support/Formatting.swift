import Foundation

/// How times, ages, excerpts and URLs are shown.
enum Formatting {
    /// Unix seconds as local time, e.g. `2025-11-24 23:56:01 +0800`.
    static func localTime(_ seconds: Int64?) -> String {
        guard let seconds else { return "-" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss Z"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Seconds as `45 s`, `12 min 5 s`, `3 h 20 min`, `2 d 4 h`.
    static func age(_ seconds: Int64) -> String {
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min \(seconds % 60) s"
        case ..<86400: return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: return "\(seconds / 86400) d \(seconds % 86400 / 3600) h"
        }
    }

    /// A number of seconds as an operator typed it: `30`, `2.5`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The first `count` characters, with `…` when cut; line breaks shown as `⏎`.
    static func excerpt(_ text: String, _ count: Int) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
        return flat.count > count ? String(flat.prefix(count)) + "…" : flat
    }

    /// `scheme://host[:port]/path`: no user info, query or fragment (a response_url carries its
    /// one-time code in the query).
    static func hostAndPath(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else {
            return "(unparsable URL)"
        }
        return "\(scheme)://\(host)\(parts.port.map { ":\($0)" } ?? "")\(parts.path)"
    }

    /// A count with thousands separators: `1,200`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        let groups = stride(from: digits.count, to: 0, by: -3).reversed().map { end in
            String(digits[digits.index(digits.startIndex, offsetBy: max(0, end - 3))..<digits.index(digits.startIndex, offsetBy: end)])
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    /// The current time in unix seconds.
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }
}
