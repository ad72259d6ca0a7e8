/// The signed query parameters of a callback, percent-decoded once (`+` stays `+`: WeCom
/// sends `%2B` for it, and a `+` turned into a space would break the signature).
struct CallbackQuery {
    var signature: String
    var timestamp: String
    var nonce: String
    var echostr: String?

    /// The parameters the callback uses; any other name is ignored.
    private static let names: [[UInt8]] = ["msg_signature", "timestamp", "nonce", "echostr"].map { Array($0.utf8) }

    static func parse(_ query: String) throws(Rejection) -> CallbackQuery {
        var values: [String: String] = [:]
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            let name = pair[pair.startIndex..<equals]
            guard let known = names.first(where: { $0.elementsEqual(name) }) else { continue }
            let key = String(decoding: known, as: UTF8.self)
            guard values[key] == nil else { throw .badRequest("query parameter \(key) given twice") }
            let raw = equals < pair.endIndex ? pair[pair.index(after: equals)...] : pair[equals..<equals]
            guard let decoded = percentDecoded(raw) else {
                throw .badRequest("query parameter \(key) is not valid percent-encoding")
            }
            values[key] = decoded
        }
        guard let signature = values["msg_signature"], !signature.isEmpty else {
            throw .forbidden("missing msg_signature")
        }
        guard let timestamp = values["timestamp"], !timestamp.isEmpty else { throw .badRequest("missing timestamp") }
        guard timestamp.utf8.count <= 12, timestamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .badRequest("timestamp is not a number")
        }
        guard let nonce = values["nonce"], !nonce.isEmpty else { throw .badRequest("missing nonce") }
        guard nonce.utf8.count <= 128 else { throw .badRequest("nonce longer than 128 bytes") }
        return CallbackQuery(signature: signature, timestamp: timestamp, nonce: nonce, echostr: values["echostr"])
    }
}

/// Percent-decoding that fails on a malformed escape or a non-UTF-8 result.
func percentDecoded(_ raw: Substring.UTF8View) -> String? {
    guard raw.contains(0x25) else { return String(validating: raw, as: UTF8.self) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(raw.count)
    var it = raw.makeIterator()
    while let b = it.next() {
        guard b == 0x25 else { bytes.append(b); continue }
        guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
        bytes.append(h << 4 | l)
    }
    return String(validating: bytes, as: UTF8.self)
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
}
