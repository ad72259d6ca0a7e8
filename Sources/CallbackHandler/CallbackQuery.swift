import JSONCore
/// The signed query parameters of a callback, percent-decoded once (`+` stays `+`: WeCom
/// sends `%2B` for it, and a `+` turned into a space would break the signature).
struct CallbackQuery {
    var signature: String
    var timestamp: String
    var nonce: String
    var echostr: String?

    /// The parameters the callback uses, in the order of `values` below; others are ignored.
    private static let names: [[UInt8]] = ["msg_signature", "timestamp", "nonce", "echostr"].map { Array($0.utf8) }

    static func parse(_ query: String) throws(Rejection) -> CallbackQuery {
        var query = query
        let found = query.withUTF8 { bytes in Result { () throws(Rejection) in try decodedValues(in: bytes) } }
        let values = try found.get()
        guard let signature = values[0], !signature.isEmpty else {
            throw .forbidden("missing msg_signature")
        }
        guard let timestamp = values[1], !timestamp.isEmpty else { throw .badRequest("missing timestamp") }
        guard timestamp.utf8.count <= 12, timestamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .badRequest("timestamp is not a number")
        }
        guard let nonce = values[2], !nonce.isEmpty else { throw .badRequest("missing nonce") }
        guard nonce.utf8.count <= 128 else { throw .badRequest("nonce longer than 128 bytes") }
        return CallbackQuery(signature: signature, timestamp: timestamp, nonce: nonce, echostr: values[3])
    }

    /// The decoded value of each name in `names` (nil when absent), scanning the bytes once.
    private static func decodedValues(in bytes: UnsafeBufferPointer<UInt8>) throws(Rejection) -> [String?] {
        var values: [String?] = [nil, nil, nil, nil]
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
            var equals = start
            while equals < end, bytes[equals] != UInt8(ascii: "=") { equals += 1 }
            let name = UnsafeBufferPointer(rebasing: bytes[start..<equals])
            if let slot = names.firstIndex(where: { $0.elementsEqual(name) }) {
                let key = String(decoding: names[slot], as: UTF8.self)
                guard values[slot] == nil else { throw .badRequest("query parameter \(key) given twice") }
                let raw = UnsafeBufferPointer(rebasing: bytes[min(equals + 1, end)..<end])
                guard let decoded = percentDecoded(raw) else {
                    throw .badRequest("query parameter \(key) is not valid percent-encoding")
                }
                values[slot] = decoded
            }
            start = end + 1
        }
        return values
    }
}

/// Percent-decoding that fails on a malformed escape or a non-UTF-8 result.
func percentDecoded(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
    guard raw.contains(0x25) else { return UTF8Text.string(raw) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(raw.count)
    var i = 0
    while i < raw.count {
        guard raw[i] == 0x25 else { bytes.append(raw[i]); i += 1; continue }
        guard i + 2 < raw.count, let h = hexValue(raw[i + 1]), let l = hexValue(raw[i + 2]) else { return nil }
        bytes.append(h << 4 | l)
        i += 3
    }
    return UTF8Text.string(bytes)
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
}
