import COpenSSL

/// Message digests through OpenSSL's one-shot `EVP_Digest`.
/// See <https://www.openssl.org/docs/man3.0/man3/EVP_Digest.html>.
public enum Digest {
    /// Lowercase hex MD5 (e.g. for `msg_item.image.md5`).
    public static func md5Hex(_ bytes: [UInt8]) -> String { hexOrCrash(bytes, FetchedAlgorithms.shared.md5, "MD5") }

    /// Lowercase hex SHA-1 (40 characters).
    public static func sha1Hex(_ bytes: [UInt8]) -> String { hexOrCrash(bytes, FetchedAlgorithms.shared.sha1, "SHA-1") }

    /// SHA-1 of `bytes`, throwing instead of crashing, for callers that map failures to -40003.
    static func sha1(_ bytes: [UInt8]) throws(OpenSSLError) -> [UInt8] { try digest(bytes, FetchedAlgorithms.shared.sha1) }

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `EVP_Digest` can fail only when libcrypto cannot allocate or load its default provider,
    /// a broken environment rather than bad input, so the non-throwing API stops there.
    private static func hexOrCrash(_ bytes: [UInt8], _ type: OpaquePointer?, _ name: String) -> String {
        do {
            return hex(try digest(bytes, type))
        } catch {
            preconditionFailure("\(name) digest failed: \(error)")
        }
    }

    private static func digest(_ bytes: [UInt8], _ type: OpaquePointer?) throws(OpenSSLError) -> [UInt8] {
        OpenSSLError.clearQueue()
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let rc = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, type, nil)
            }
        }
        try OpenSSLError.check(rc, "EVP_Digest")
        return Array(output.prefix(Int(length)))
    }
}
