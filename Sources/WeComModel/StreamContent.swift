/// The 20480-byte limit of `stream.content` and `markdown.content` (docs/wecom-protocol.md §5.2, §6).
public enum StreamContent {
    /// The most UTF-8 bytes WeCom shows; it truncates anything longer.
    public static let maxBytes = 20480

    /// Cuts to at most `maxBytes` UTF-8 bytes on a character (scalar) boundary, keeping the head.
    /// Returns `s` unchanged when it fits.
    public static func truncated(_ s: String, maxBytes: Int = maxBytes) -> String {
        split(s, maxBytes: maxBytes).head
    }

    /// Splits into a head (≤ `maxBytes` UTF-8 bytes, cut on a scalar boundary) and the
    /// remainder, for a `response_url` continuation; `head + rest == s`.
    public static func split(_ s: String, maxBytes: Int = maxBytes) -> (head: String, rest: String) {
        let utf8 = s.utf8
        guard var cut = utf8.index(utf8.startIndex, offsetBy: max(maxBytes, 0), limitedBy: utf8.endIndex),
              cut < utf8.endIndex
        else {
            return (s, "")
        }
        // Back up over continuation bytes (0b10xxxxxx) to the first byte of the cut scalar.
        while cut > utf8.startIndex, utf8[cut] & 0xC0 == 0x80 {
            utf8.formIndex(before: &cut)
        }
        return (String(decoding: utf8[..<cut], as: UTF8.self),
                String(decoding: utf8[cut...], as: UTF8.self))
    }
}
