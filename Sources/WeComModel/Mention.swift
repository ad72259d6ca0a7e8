/// Group messages carry the bot's `@name` inside `text.content`, anywhere in the string (docs/wecom-protocol.md §4.3.1,
/// §7). The display name is not in the payload, so it comes from configuration.
public enum Mention {
    /// Characters that may follow a mention; one of them is removed with it.
    static let separators: Set<Character> = [" ", "\u{2005}", "\u{00A0}"]

    /// Removes every "@<botName>" occurrence wherever it stands (prefix, middle, end), plus one
    /// adjacent space/U+2005/U+00A0 after it, then trims surrounding whitespace.
    /// Empty/nil name: only trims. A leading "@" in `botName` is ignored ("@RobotA" = "RobotA").
    public static func strip(botName: String?, from text: String) -> String {
        var name = (botName ?? "").trimmingWhitespace()
        if name.hasPrefix("@") { name.removeFirst() }
        guard !name.isEmpty else { return text.trimmingWhitespace() }

        let mention = "@" + name
        var result = ""
        var rest = text[...]
        while let found = rest.firstRange(of: mention) {
            result += rest[..<found.lowerBound]
            var next = found.upperBound
            if next < rest.endIndex, separators.contains(rest[next]) {
                next = rest.index(after: next)
            }
            rest = rest[next...]
        }
        result += rest
        return result.trimmingWhitespace()
    }
}

extension StringProtocol {
    /// Drops leading and trailing `Character.isWhitespace` characters (includes U+2005, U+00A0,
    /// newlines).
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
