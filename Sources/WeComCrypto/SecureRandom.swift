import COpenSSL

/// Cryptographically secure random values from OpenSSL's `RAND_bytes`.
/// See <https://www.openssl.org/docs/man3.0/man3/RAND_bytes.html>.
public enum SecureRandom {
    /// The 62 characters of ``alphanumeric(_:)``.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `n` random bytes.
    ///
    /// Stops the process if `RAND_bytes` fails ("the PRNG has not been seeded with enough
    /// randomness"): returning weak bytes for keys and nonces would be worse.
    public static func bytes(_ n: Int) -> [UInt8] {
        precondition(n >= 0 && n <= Int(Int32.max), "SecureRandom.bytes: bad count \(n)")
        var buffer = [UInt8](repeating: 0, count: n)
        guard n > 0 else { return buffer }
        let rc = buffer.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard rc == 1 else { preconditionFailure("\(OpenSSLError.capture("RAND_bytes"))") }
        return buffer
    }

    /// `n` random characters from `[A-Za-z0-9]`, uniformly (rejection sampling, no modulo bias).
    public static func alphanumeric(_ n: Int) -> String {
        String(decoding: alphanumericBytes(n, from: alphabet), as: UTF8.self)
    }

    /// `n` bytes drawn uniformly from `alphabet` (at most 256 entries), from ``RandomPool``.
    static func alphanumericBytes(_ n: Int, from alphabet: [UInt8]) -> [UInt8] {
        precondition(!alphabet.isEmpty && alphabet.count <= 256)
        let limit = 256 - 256 % alphabet.count
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            for byte in RandomPool.shared.take(n - out.count + 8) where Int(byte) < limit && out.count < n {
                out.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return out
    }
}
