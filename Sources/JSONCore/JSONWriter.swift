/// Compact UTF-8 JSON without Foundation: object keys sorted by their UTF-8 bytes, `/` and
/// non-ASCII text left as they are, `"` and `\` escaped, control characters as `\n`, `\t`…
/// or `\u00XX`. A number with no fractional part below 2^53 is written as an integer (`1`,
/// not `1.0`); NaN and ±infinity have no JSON spelling and are written as `null`.
public enum JSONWriter {
    /// The largest magnitude below which every integer is exactly representable as a `Double`.
    static let exactIntegerLimit: Double = 9_007_199_254_740_992  // 2^53

    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, to: &out)
        return out
    }

    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case let .number(number): appendNumber(number, to: &out)
        case let .string(text): appendString(text, to: &out)
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (position, member) in sorted.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func appendNumber(_ number: Double, to out: inout [UInt8]) {
        if !number.isFinite {
            out.append(contentsOf: "null".utf8)
        } else if let integer = exactInteger(number) {
            out.append(contentsOf: String(integer).utf8)
        } else {
            out.append(contentsOf: number.description.utf8)
        }
    }

    /// The number as an integer when it has no fractional part and every integer of its
    /// magnitude is exact in a `Double` (below 2^53); such numbers are written as integers.
    public static func exactInteger(_ number: Double) -> Int64? {
        guard number.isFinite, number.rounded(.towardZero) == number, abs(number) < exactIntegerLimit else { return nil }
        return Int64(number)
    }

    /// `text` as a quoted JSON string literal. Eight bytes at a time are checked for anything
    /// to escape (a control character, `"` or `\\`); clean runs are copied as they are.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            var runStart = 0
            var position = 0
            while position < utf8.count {
                if position + 8 <= utf8.count, !mayNeedEscape(raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)) {
                    position += 8
                    continue
                }
                let byte = utf8[position]
                if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                    appendEscape(byte, to: &out)
                    runStart = position + 1
                }
                position += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// True when one of the eight bytes is below 0x20, `"` or `\\` (exact for "any byte";
    /// the classic has-less-than and has-zero-byte bit tricks).
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        let quotes = (quote &- ones) & ~quote & highs
        let backslashes = (backslash &- ones) & ~backslash & highs
        return (control | quotes | backslashes) != 0
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: out.append(UInt8(ascii: "\""))
        case 0x5C: out.append(UInt8(ascii: "\\"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }
}
