/// Splits an answer longer than one message may be into parts sent one after another
/// (`aibot_send_msg` takes at most 20480 bytes of markdown, docs/wecom-protocol.md §8.3).
///
/// Every part has at most `maxBytes` UTF-8 bytes and ends on a character (scalar) boundary; the
/// parts joined give the answer back unchanged. A part ends after the last newline within the
/// final quarter of its budget, so that a paragraph, list item or table row stays whole, else
/// after the last space there, else as late as the budget allows (a long line without spaces,
/// such as Chinese text).
public enum AnswerSplitter {
    /// WeCom's limit for one markdown message.
    public static let defaultMaxBytes = 20480

    /// The parts of `text`, in order; a text that fits is its own one part (also when empty).
    /// `maxBytes` must be at least 4, the longest UTF-8 sequence of one scalar.
    public static func split(_ text: String, maxBytes: Int = defaultMaxBytes) -> [String] {
        precondition(maxBytes >= 4, "a part must hold any one character")
        let bytes = Array(text.utf8)
        guard bytes.count > maxBytes else { return [text] }
        let window = max(maxBytes / 4, 1)
        var parts: [String] = []
        var start = 0
        while bytes.count - start > maxBytes {
            // The latest cut the budget allows: back over continuation bytes (0b10xxxxxx) to the
            // first byte of the scalar that does not fit.
            var cut = start + maxBytes
            while bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
            let searched = bytes[min(cut, start + maxBytes - window)..<cut]
            if let newline = searched.lastIndex(of: UInt8(ascii: "\n")) {
                cut = newline + 1
            } else if let space = searched.lastIndex(of: UInt8(ascii: " ")) {
                cut = space + 1
            }
            parts.append(String(decoding: bytes[start..<cut], as: UTF8.self))
            start = cut
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }
}
