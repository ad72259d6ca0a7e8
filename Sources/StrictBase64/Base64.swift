/// Standard base64 (RFC 4648 §4) with a strict shape: length a multiple of 4, `=` only as one
/// or two final characters, no whitespace, no URL-safe alphabet. Unused low bits of the last
/// character are ignored, as the official samples do. Table-driven over the UTF-8 bytes.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0…63 for an alphabet byte, 0xFF otherwise.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    /// The bytes `text` encodes, or nil when it is not strictly shaped standard base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode($0) }
    }

    public static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        guard input.count > 0 else { return [] }
        var padding = 0
        if input[input.count - 1] == UInt8(ascii: "=") {
            padding = input[input.count - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        let outputCount = input.count / 4 * 3 - padding
        return values.withUnsafeBufferPointer { table -> [UInt8]? in
            var failed = false
            let output = [UInt8](unsafeUninitializedCapacity: outputCount) { out, count in
                var o = 0
                var i = 0
                while i < input.count {
                    let last = i + 4 == input.count
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = last && padding == 2 ? 0 : table[Int(input[i + 2])]
                    let d = last && padding >= 1 ? 0 : table[Int(input[i + 3])]
                    if (a | b | c | d) & 0xC0 != 0 { failed = true; break }
                    let bits = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[o] = UInt8(truncatingIfNeeded: bits >> 16)
                    if o + 1 < outputCount { out[o + 1] = UInt8(truncatingIfNeeded: bits >> 8) }
                    if o + 2 < outputCount { out[o + 2] = UInt8(truncatingIfNeeded: bits) }
                    o += 3
                    i += 4
                }
                count = failed ? 0 : outputCount
            }
            return failed ? nil : output
        }
    }

    /// The base64 text, with `=` padding. Written straight into the string's storage: going
    /// through a byte array first costs a second copy and a UTF-8 check of the whole text.
    public static func encode(_ bytes: [UInt8]) -> String {
        let outputCount = encodedCount(bytes.count)
        return bytes.withUnsafeBufferPointer { input in
            String(unsafeUninitializedCapacity: outputCount) { out in
                write(input, into: out)
                return outputCount
            }
        }
    }

    /// The base64 text as ASCII bytes, with `=` padding.
    public static func encodedBytes(_ bytes: [UInt8]) -> [UInt8] {
        let outputCount = encodedCount(bytes.count)
        return bytes.withUnsafeBufferPointer { input in
            [UInt8](unsafeUninitializedCapacity: outputCount) { out, count in
                write(input, into: out)
                count = outputCount
            }
        }
    }

    private static func encodedCount(_ byteCount: Int) -> Int { (byteCount + 2) / 3 * 4 }

    /// Fills `out` (exactly `encodedCount(input.count)` bytes) with the text of `input`.
    private static func write(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) {
        alphabet.withUnsafeBufferPointer { symbols in
            var i = 0
            var o = 0
            while i + 3 <= input.count {
                let bits = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                out[o] = symbols[Int(bits >> 18 & 63)]
                out[o + 1] = symbols[Int(bits >> 12 & 63)]
                out[o + 2] = symbols[Int(bits >> 6 & 63)]
                out[o + 3] = symbols[Int(bits & 63)]
                i += 3
                o += 4
            }
            let rest = input.count - i
            if rest > 0 {
                let bits = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                out[o] = symbols[Int(bits >> 18 & 63)]
                out[o + 1] = symbols[Int(bits >> 12 & 63)]
                out[o + 2] = rest == 2 ? symbols[Int(bits >> 6 & 63)] : UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
            }
        }
    }
}
