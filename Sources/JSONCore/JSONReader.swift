/// A strict RFC 8259 reader from UTF-8 bytes to `JSONValue`, without Foundation.
///
/// Any top-level value is accepted, surrounded by optional whitespace. Strings must be valid
/// UTF-8 with no raw control characters, and `\u` escapes must pair surrogates correctly.
/// Numbers follow the JSON grammar (no leading zeros, no `+`, no bare `.`) and must fit a
/// finite `Double`. A later duplicate key replaces an earlier one. Nesting deeper than
/// `depthLimit` is refused while reading, so hostile input costs linear time.
public struct JSONReader {
    public static func parse(_ bytes: [UInt8], depthLimit: Int) throws(JSONReadError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONReadError) -> JSONValue in
            try parse(buffer, depthLimit: depthLimit)
        }
    }

    /// The same over borrowed bytes (a string's UTF-8 storage), without copying them first.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, depthLimit: Int) throws(JSONReadError) -> JSONValue {
        var reader = Cursor(bytes: buffer, depthLimit: depthLimit)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == buffer.count else { throw reader.invalid("unexpected text after the value") }
        return value
    }
}

/// The reading position over the bytes; each method consumes what it reads.
private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let depthLimit: Int
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, depthLimit: Int) {
        self.bytes = bytes
        self.depthLimit = depthLimit
    }

    func invalid(_ reason: String) -> JSONReadError { .invalid(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONReadError) -> JSONValue {
        guard index < bytes.count else { throw invalid("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw invalid("unexpected character")
        }
    }

    mutating func object(depth: Int) throws(JSONReadError) -> JSONValue {
        guard depth <= depthLimit else { throw .tooDeep(limit: depthLimit) }
        index += 1
        var members = [String: JSONValue](minimumCapacity: 8)
        skipWhitespace()
        if try consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw invalid("expected a member name") }
            let key = try string()
            skipWhitespace()
            guard try consume(UInt8(ascii: ":")) else { throw invalid("expected ':'") }
            skipWhitespace()
            members[key] = try value(depth: depth)
            skipWhitespace()
            if try consume(UInt8(ascii: ",")) { continue }
            if try consume(UInt8(ascii: "}")) { return .object(members) }
            throw invalid("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(JSONReadError) -> JSONValue {
        guard depth <= depthLimit else { throw .tooDeep(limit: depthLimit) }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            if try consume(UInt8(ascii: ",")) { continue }
            if try consume(UInt8(ascii: "]")) { return .array(elements) }
            throw invalid("expected ',' or ']'")
        }
    }

    mutating func consume(_ byte: UInt8) throws(JSONReadError) -> Bool {
        guard index < bytes.count else { throw invalid("unexpected end of input") }
        guard bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func literal(_ word: StaticString) throws(JSONReadError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw invalid("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw invalid("unexpected character")
        }
        index += count
    }

    /// A string starting at the opening quote. Runs without escapes are copied as they are.
    mutating func string() throws(JSONReadError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let result = try text(start..<index)
                index += 1
                return result
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw invalid("control character in a string") }
            index += 1
        }
        throw invalid("unterminated string")
    }

    /// The rest of a string once an escape appears: collects UTF-8 bytes, then validates them.
    mutating func escapedString(from start: Int) throws(JSONReadError) -> String {
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let result = UTF8Text.string(utf8) else { throw invalid("string is not UTF-8") }
                return result
            case UInt8(ascii: "\\"):
                index += 1
                try escape(into: &utf8)
            case 0..<0x20:
                throw invalid("control character in a string")
            default:
                utf8.append(byte)
                index += 1
            }
        }
        throw invalid("unterminated string")
    }

    mutating func escape(into utf8: inout [UInt8]) throws(JSONReadError) {
        guard index < bytes.count else { throw invalid("unterminated string") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw invalid("unpaired surrogate")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw invalid("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw invalid("unpaired surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw invalid("invalid \\u escape") }
            utf8.append(contentsOf: UTF8.encode(unicode)!)
        default:
            throw invalid("invalid escape")
        }
    }

    mutating func hex4() throws(JSONReadError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw invalid("unterminated string") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw invalid("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A number by the JSON grammar; small integers are converted directly, the rest by strtod.
    mutating func number() throws(JSONReadError) -> Double {
        let start = index
        var integer: Int64 = 0
        var simple = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw invalid("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            var digits = 0
            while index < bytes.count, isDigit(bytes[index]) {
                integer = integer &* 10 &+ Int64(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            if digits > 15 { simple = false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            simple = false
            index += 1
            guard try skipDigits() else { throw invalid("invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            simple = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard try skipDigits() else { throw invalid("invalid number") }
        }
        if simple {
            let magnitude = Double(integer)
            return bytes[start] == UInt8(ascii: "-") ? -magnitude : magnitude
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw .invalid(offset: start, reason: "number out of range") }
        return value
    }

    /// Skips one or more digits; false when there is none.
    mutating func skipDigits() throws(JSONReadError) -> Bool {
        let start = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        return index > start
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    func text(_ range: Range<Int>) throws(JSONReadError) -> String {
        guard let result = UTF8Text.string(UnsafeBufferPointer(rebasing: bytes[range])) else {
            throw .invalid(offset: range.lowerBound, reason: "string is not UTF-8")
        }
        return result
    }
}
