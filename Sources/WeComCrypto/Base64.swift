import Foundation

/// Standard base64 (RFC 4648 §4, `+/` alphabet, `=` padding), strictly shaped.
///
/// Foundation's `Data(base64Encoded:)` checks the alphabet but accepts surplus padding
/// (`"eKM+xtlf===="`); this wrapper first requires a length that is a multiple of 4 with at most
/// two `=`, and only at the end. Unused low bits of the last character are ignored, as the
/// official samples' decoders (Python `b64decode`, Go `StdEncoding`) ignore them.
enum Base64 {
    /// The decoded bytes, or nil when `text` is not well-formed standard base64.
    static func decode(_ text: String) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 4 == 0 else { return nil }
        let padding = utf8.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2, !utf8.dropLast(padding).contains(UInt8(ascii: "=")) else { return nil }
        return Data(base64Encoded: text).map { [UInt8]($0) }
    }

    /// The standard base64 text of `bytes`, with padding.
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
