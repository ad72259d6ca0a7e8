import COpenSSL

/// Owns one OpenSSL `EVP_CIPHER_CTX` and runs AES-256-CBC through it with library padding off.
///
/// WeCom pads with PKCS#7 to a 32-byte block, which OpenSSL's own (16-byte) unpadding rejects for
/// pad values 17…32, so padding is always done by ``PKCS7``. Not thread safe: use one context per
/// operation. See <https://www.openssl.org/docs/man3.0/man3/EVP_CipherInit_ex.html>.
final class CipherContext {
    /// Whether the context encrypts or decrypts.
    enum Direction: Int32 {
        case decrypt = 0
        case encrypt = 1
    }

    /// The AES block size; input lengths must be a multiple of it.
    static let blockSize = 16

    private let handle: OpaquePointer

    /// Allocates the context (`EVP_CIPHER_CTX_new`).
    init() throws(OpenSSLError) {
        guard let handle = EVP_CIPHER_CTX_new() else { throw OpenSSLError.capture("EVP_CIPHER_CTX_new") }
        self.handle = handle
    }

    deinit { EVP_CIPHER_CTX_free(handle) }

    /// Runs AES-256-CBC over `input` with padding disabled.
    ///
    /// - Parameters:
    ///   - input: the data; its length must be a multiple of 16 (`EVP_CipherFinal_ex` fails otherwise).
    ///   - key: 32 bytes.
    ///   - iv: 16 bytes.
    /// - Returns: exactly `input.count` bytes.
    func run(_ direction: Direction, _ input: [UInt8], key: [UInt8], iv: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        precondition(key.count == 32 && iv.count == 16, "AES-256-CBC needs a 32-byte key and a 16-byte iv")
        guard input.count <= Int(Int32.max) - Self.blockSize else {
            throw OpenSSLError(function: "EVP_CipherUpdate", queue: ["input too large"])
        }
        OpenSSLError.clearQueue()
        try key.withUnsafeBufferPointer { (key) throws(OpenSSLError) in
            try iv.withUnsafeBufferPointer { (iv) throws(OpenSSLError) in
                let rc = EVP_CipherInit_ex(
                    handle, FetchedAlgorithms.shared.aes256CBC, nil, key.baseAddress, iv.baseAddress, direction.rawValue)
                try OpenSSLError.check(rc, "EVP_CipherInit_ex")
            }
        }
        try OpenSSLError.check(EVP_CIPHER_CTX_set_padding(handle, 0), "EVP_CIPHER_CTX_set_padding")
        var output = [UInt8](repeating: 0, count: input.count + Self.blockSize)
        let written = try output.withUnsafeMutableBufferPointer { (out) throws(OpenSSLError) -> Int in
            try input.withUnsafeBufferPointer { (inp) throws(OpenSSLError) -> Int in
                var updated: Int32 = 0
                var finished: Int32 = 0
                try OpenSSLError.check(
                    EVP_CipherUpdate(handle, out.baseAddress, &updated, inp.baseAddress, Int32(inp.count)),
                    "EVP_CipherUpdate")
                try OpenSSLError.check(
                    EVP_CipherFinal_ex(handle, out.baseAddress! + Int(updated), &finished),
                    "EVP_CipherFinal_ex")
                return Int(updated + finished)
            }
        }
        output.removeSubrange(written...)
        return output
    }

    /// One-shot helper: a fresh context running ``run(_:_:key:iv:)``.
    static func aes256CBC(_ direction: Direction, _ input: [UInt8], key: AESKey) throws(OpenSSLError) -> [UInt8] {
        try CipherContext().run(direction, input, key: key.key, iv: key.iv)
    }
}

@available(*, unavailable)
extension CipherContext: Sendable {}
