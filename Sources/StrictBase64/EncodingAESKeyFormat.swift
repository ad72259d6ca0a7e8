/// A WeCom EncodingAESKey: 43 ASCII letters and digits whose base64 decoding, with the missing
/// `=` appended, is the 32-byte AES key. The configuration check and the crypto both apply this
/// one rule, so a key passes the one exactly when it passes the other.
public enum EncodingAESKeyFormat {
    /// Why a text is not an EncodingAESKey; the description names the rule, never the key.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case length(Int)
        case notBase64
        case decodedLength(Int)
        /// Standard base64 of 32 bytes, but with `+` or `/`, which WeCom never puts in a key.
        case notLettersAndDigits

        public var description: String {
            switch self {
            case let .length(count): "EncodingAESKey must be 43 characters, got \(count)"
            case .notBase64: "EncodingAESKey is not valid base64"
            case let .decodedLength(count): "EncodingAESKey decodes to \(count) bytes, not 32"
            case .notLettersAndDigits: "EncodingAESKey must be letters and digits"
            }
        }
    }

    /// The 32 key bytes of `text`.
    public static func keyBytes(_ text: String) throws(Refusal) -> [UInt8] {
        let length = text.utf8.count
        guard length == 43 else { throw .length(length) }
        guard let key = Base64.decode(text + "=") else { throw .notBase64 }
        guard key.count == 32 else { throw .decodedLength(key.count) }
        // Decoding succeeded, so every character is in the base64 alphabet.
        guard !text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }) else {
            throw .notLettersAndDigits
        }
        return key
    }
}
