/// Strict UTF-8 to `String` for the request path. The standard library's
/// `String(validating:as:)` is generic over the encoding and looks up type metadata on every
/// call (19 calls per stream refresh, about a tenth of the handler's instructions); this checks
/// the bytes with a plain loop (RFC 3629: no overlong forms, no surrogates, nothing above
/// U+10FFFF) and then builds the string with the specialised `String(decoding:as:)`.
public enum UTF8Text {
    /// The bytes as a `String` when they are valid UTF-8, otherwise nil.
    public static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard isValid(bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func string(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string($0) }
    }

    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let count = bytes.count
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the allowed range of the second byte
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0             // no overlong 3-byte forms
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F            // no UTF-16 surrogates
            case 0xF0: length = 4; low = 0x90             // no overlong 4-byte forms
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F            // nothing above U+10FFFF
            default: return false
            }
            guard i + length <= count, (low...high).contains(bytes[i + 1]) else { return false }
            for offset in 2..<length where bytes[i + offset] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
