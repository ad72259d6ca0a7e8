import COpenSSL

/// A failed libcrypto call: the function's name and the drained OpenSSL error queue.
///
/// Internal: it is folded into the reason of ``WeComCryptoError/encryptAES(_:)`` or
/// ``WeComCryptoError/decryptAES(_:)``. See <https://www.openssl.org/docs/man3.0/man3/ERR_get_error.html>.
struct OpenSSLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libcrypto function that failed, e.g. `EVP_CipherFinal_ex`.
    let function: String
    /// `ERR_error_string_n` texts of the queued errors, oldest first (may be empty).
    let queue: [String]

    /// Captures the failure of `function`, draining this thread's OpenSSL error queue.
    static func capture(_ function: String) -> OpenSSLError {
        var queue: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            let text = buffer.withUnsafeMutableBufferPointer { buf in
                ERR_error_string_n(code, buf.baseAddress, buf.count)
                return String(cString: buf.baseAddress!)
            }
            queue.append(text)
        }
        return OpenSSLError(function: function, queue: queue)
    }

    /// Throws ``capture(_:)`` unless `rc` is 1, libcrypto's success value.
    static func check(_ rc: Int32, _ function: String) throws(OpenSSLError) {
        guard rc == 1 else { throw capture(function) }
    }

    /// Empties this thread's error queue, so a later ``capture(_:)`` reports only new errors.
    static func clearQueue() { ERR_clear_error() }

    var description: String {
        queue.isEmpty ? "\(function) failed" : "\(function) failed: \(queue.joined(separator: "; "))"
    }
}
