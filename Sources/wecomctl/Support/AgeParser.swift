/// Ages such as `7d`, `12h`, `30m`, `3600s`, `3600` or `1d12h`, in seconds.
enum AgeParser {
    static let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]

    /// Seconds, or nil when `text` is not a sequence of whole numbers each followed by a unit
    /// (a bare number is seconds). Zero is allowed; overflow is not.
    static func seconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var digits = ""
        for character in text.lowercased() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let value = Int64(digits) {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit)
                guard !overflow, total <= Int64.max - product else { return nil }
                total += product
                digits = ""
            } else {
                return nil
            }
        }
        if !digits.isEmpty {
            guard let value = Int64(digits), total <= Int64.max - value else { return nil }
            total += value
        } else if text.isEmpty {
            return nil
        }
        return total
    }
}
