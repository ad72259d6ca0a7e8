/// PKCS#7 padding to a **32-byte** block, as WeCom uses it (docs/wecom-protocol.md §3.2).
///
/// The pad length is `32 - count % 32`, always 1…32: data whose length is already a multiple
/// of 32 gets a full block of thirty-two `0x20` bytes.
enum PKCS7 {
    /// WeCom's padding block size (not AES's 16).
    static let blockSize = 32

    /// Appends 1…32 bytes, each equal to the pad length.
    static func pad(_ data: [UInt8]) -> [UInt8] {
        var padded = data
        pad(&padded)
        return padded
    }

    /// The same in place (no copy when the array has the capacity).
    static func pad(_ data: inout [UInt8]) {
        let count = blockSize - data.count % blockSize
        data.append(contentsOf: repeatElement(UInt8(count), count: count))
    }

    /// Validates and strips the padding: the last byte `p` must be 1…32, at most the data length,
    /// and the last `p` bytes must all equal `p`; otherwise ``WeComCryptoError/decryptAES(_:)``.
    static func unpad(_ data: [UInt8]) throws(WeComCryptoError) -> [UInt8] {
        guard let last = data.last else { throw .decryptAES("no data to unpad") }
        let count = Int(last)
        guard (1...blockSize).contains(count) else { throw .decryptAES("bad padding byte \(count)") }
        guard count <= data.count else {
            throw .decryptAES("padding length \(count) exceeds the \(data.count)-byte plaintext")
        }
        guard data.suffix(count).allSatisfy({ $0 == last }) else {
            throw .decryptAES("inconsistent padding bytes for pad length \(count)")
        }
        return Array(data.dropLast(count))
    }
}
