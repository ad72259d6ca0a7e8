import JSONCore

/// The POST callback body `{"encrypt":"<base64>"}` (docs/wecom-protocol.md §4.1).
struct CallbackBody: Equatable {
    /// The base64 ciphertext, exactly as received (it is what the signature covers).
    let encrypt: String

    /// The envelope is one flat object; anything nested deeper is not a WeCom callback.
    static let depthLimit = 8

    /// Parses the body; ``WeComCryptoError/xmlEnvelope`` when it is XML (the bot was created in the
    /// legacy mode), ``WeComCryptoError/parseJSON(_:)`` when it is not a JSON object with a
    /// string `encrypt` field.
    init(parsing body: [UInt8]) throws(WeComCryptoError) {
        let start = Self.contentStart(body)
        if start < body.count, body[start] == UInt8(ascii: "<") { throw .xmlEnvelope }
        let json: JSONValue
        do {
            json = try JSONReader.parse(Array(body[start...]), depthLimit: Self.depthLimit)
        } catch {
            throw .parseJSON("body is not valid JSON")
        }
        guard case let .object(members) = json else { throw .parseJSON("body is not a JSON object") }
        guard let field = members["encrypt"] else { throw .parseJSON("body has no \"encrypt\" field") }
        guard case let .string(encrypt) = field else { throw .parseJSON("\"encrypt\" is not a string") }
        self.encrypt = encrypt
    }

    /// Index of the first byte after a UTF-8 BOM and ASCII whitespace.
    private static func contentStart(_ body: [UInt8]) -> Int {
        var index = body.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 }
        return index
    }
}
