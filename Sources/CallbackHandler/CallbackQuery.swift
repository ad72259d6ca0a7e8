/// The signed query parameters of a callback, percent-decoded once (`+` stays `+`: WeCom
/// sends `%2B` for it, and a `+` turned into a space would break the signature).
struct CallbackQuery {
    var signature: String
    var timestamp: String
    var nonce: String
    var echostr: String?

    static func parse(_ query: String) throws(Rejection) -> CallbackQuery {
        var values: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard ["msg_signature", "timestamp", "nonce", "echostr"].contains(name) else { continue }
            guard values[name] == nil else { throw .badRequest("query parameter \(name) given twice") }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            guard let decoded = raw.removingPercentEncodingStrict() else {
                throw .badRequest("query parameter \(name) is not valid percent-encoding")
            }
            values[name] = decoded
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

extension String {
    /// Percent-decoding that fails on a malformed escape or non-UTF-8 result.
    func removingPercentEncodingStrict() -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var it = utf8.makeIterator()
        while let b = it.next() {
            guard b == 0x25 else { bytes.append(b); continue }
            guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
}
