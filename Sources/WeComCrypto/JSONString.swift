/// Writes a Swift string as a JSON string literal, byte for byte as WeCom's samples do:
/// `"` and `\` escaped, control characters as `\n`, `\t`… or `\u00XX`, everything else
/// (including `/` and non-ASCII UTF-8) left as it is.
enum JSONString {
    /// The quoted, escaped UTF-8 bytes of `string`.
    static func quoted(_ string: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        out.reserveCapacity(string.utf8.count + 2)
        for byte in string.utf8 {
            switch byte {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0x00..<0x20: out += Array(#"\u00"#.utf8) + Array(Digest.hex([byte]).utf8)
            default: out.append(byte)
            }
        }
        out.append(0x22)
        return out
    }
}
