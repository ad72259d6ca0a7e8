/// Finds `![alt](url)` images in an answer and rewrites the text for display: an image the
/// worker fetched becomes its alt text (the picture itself arrives as a `msg_item`), one it
/// could not fetch becomes a plain link the user can still open.
public enum MarkdownImages {
    public struct Match: Equatable, Sendable {
        public var alt: String
        public var url: String
        /// The whole `![alt](url)` text.
        public var source: String
    }

    /// Every complete image reference, in order (a half-streamed one is not matched).
    public static func find(in text: String) -> [Match] {
        var matches: [Match] = []
        var rest = text[...]
        while let bang = firstMarker(in: rest) {
            let afterBang = rest[bang.upperBound...]
            guard let closeAlt = afterBang.firstIndex(of: "]"),
                  afterBang[afterBang.index(after: closeAlt)...].hasPrefix("(") else {
                rest = afterBang
                continue
            }
            let alt = String(afterBang[..<closeAlt])
            let urlStart = afterBang.index(closeAlt, offsetBy: 2)
            guard !alt.contains("\n"), let closeURL = afterBang[urlStart...].firstIndex(of: ")") else {
                rest = afterBang
                continue
            }
            var url = afterBang[urlStart..<closeURL].trimmingCharacters(in: .whitespaces)
            if let space = url.firstIndex(of: " ") { url = String(url[..<space]) }  // ![a](url "title")
            if url.hasPrefix("<") && url.hasSuffix(">") { url = String(url.dropFirst().dropLast()) }
            let source = String(text[bang.lowerBound...closeURL])
            if !url.isEmpty && !url.contains("\n") { matches.append(Match(alt: alt, url: url, source: source)) }
            rest = afterBang[afterBang.index(after: closeURL)...]
        }
        return matches
    }

    /// The first `![` in `text`, by a scan of its UTF-8 bytes. The worker's progress writer
    /// rewrites every running answer ten times a second, and Foundation's `range(of:)` (Unicode
    /// folding through NSString) was a tenth of the worker's CPU with 1,000 answers streaming.
    static func firstMarker(in text: Substring) -> Range<Substring.Index>? {
        let utf8 = text.utf8
        var previous: UInt8 = 0
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if previous == UInt8(ascii: "!") && byte == UInt8(ascii: "[") {
                return utf8.index(before: index)..<utf8.index(after: index)
            }
            previous = byte
            utf8.formIndex(after: &index)
        }
        return nil
    }

    /// The answer as the user should read it: fetched images → alt text, others → links.
    public static func displayText(_ text: String, fetched: Set<String>) -> String {
        var out = text
        for m in find(in: text) {
            let label = m.alt.trimmingCharacters(in: .whitespaces)
            let replacement = fetched.contains(m.url)
                ? (label.isEmpty ? "" : "【图片：\(label)】")
                : "[\(label.isEmpty ? "图片" : label)](\(m.url))"
            if let range = out.range(of: m.source) { out.replaceSubrange(range, with: replacement) }
        }
        return out
    }

    /// Resolves a (possibly relative) URL from Dify against the Dify origin (the API base
    /// without `/v1`): `/files/tools/x.png` → `http://dify.example/files/tools/x.png`.
    public static func resolve(_ url: String, difyBaseURL: String) -> String? {
        let lower = url.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return url }
        guard url.hasPrefix("/") else { return nil }
        guard let schemeEnd = difyBaseURL.range(of: "://") else { return nil }
        let afterScheme = difyBaseURL[schemeEnd.upperBound...]
        let hostEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        return String(difyBaseURL[..<hostEnd]) + url
    }
}
