/// Makes new EncodingAESKeys (for `wecomctl gen-key`).
public enum EncodingAESKeyGenerator {
    /// A fresh 43-character EncodingAESKey that decodes to 32 bytes.
    ///
    /// Like the keys WeCom's console makes, it uses only `[A-Za-z0-9]` (no `+` or `/`): 42 random
    /// alphanumerics and a last character whose two unused low bits are zero, i.e. a uniformly
    /// random key among the alphanumeric ones (about 254 bits of entropy).
    public static func make() -> String {
        let body = SecureRandom.alphanumericBytes(42, from: SecureRandom.alphabet)
        // Base64 values 0, 4, 8, … 60: the 43rd character carries 4 key bits and 2 zero bits.
        let last = SecureRandom.alphanumericBytes(1, from: Array("AEIMQUYcgkosw048".utf8))
        return String(decoding: body + last, as: UTF8.self)
    }
}
