import Foundation

/// Typed reads over a merged environment. Every failure names the variable and never echoes
/// its value (several of them are secrets).
struct EnvironmentReader {
    let values: [String: String]

    /// The value, or nil when unset. An empty value counts as set.
    func string(_ name: String) -> String? { values[name] }

    /// A non-empty value, or nil when unset or empty.
    func nonEmpty(_ name: String) -> String? {
        guard let v = values[name], !v.isEmpty else { return nil }
        return v
    }

    /// Seconds, decimals allowed; must be > 0 (or ≥ 0 when `allowZero`).
    func seconds(_ name: String, default fallback: Double, allowZero: Bool = false) throws -> Double {
        guard let raw = nonEmpty(name) else { return fallback }
        guard let v = Double(raw.trimmingCharacters(in: .whitespaces)), v.isFinite, allowZero ? v >= 0 : v > 0 else {
            throw ConfigurationError(variable: name, reason: "must be a number of seconds \(allowZero ? "≥ 0" : "> 0") (decimals allowed)")
        }
        return v
    }

    /// A whole number in `range`.
    func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = nonEmpty(name) else { return fallback }
        guard let v = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(v) else {
            throw ConfigurationError(variable: name, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// 1/true/yes/on or 0/false/no/off (any case).
    func flag(_ name: String, default fallback: Bool) throws -> Bool {
        guard let raw = nonEmpty(name) else { return fallback }
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, reason: "must be 1 or 0 (true/false, yes/no, on/off)")
        }
    }

    /// An absolute http(s) URL.
    func httpURL(_ name: String) throws -> String? {
        try url(name, schemes: ["http", "https"])
    }

    /// An absolute URL with one of `schemes` and a host.
    func url(_ name: String, schemes: [String]) throws -> String? {
        guard let raw = nonEmpty(name)?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(),
              schemes.contains(scheme), let host = url.host, !host.isEmpty else {
            let spelled = schemes.map { "\($0)://" }.joined(separator: " or ")
            throw ConfigurationError(variable: name, reason: "must be an absolute \(spelled) URL")
        }
        return raw
    }
}
