import COpenSSL

/// AES-256-CBC, SHA-1 and MD5 fetched from OpenSSL's default provider once per process.
/// Passing `EVP_aes_256_cbc()` or `EVP_sha1()` makes OpenSSL 3 look the algorithm up again on
/// every init (a name lookup under a read lock), a cost the refresh path pays several times per
/// request. Falls back to those legacy handles if a fetch fails.
final class FetchedAlgorithms: @unchecked Sendable {
    // @unchecked: the pointers are set once in init and only read afterwards; OpenSSL's fetched
    // algorithm objects are reference-counted, immutable and safe to share between threads.
    static let shared = FetchedAlgorithms()

    let aes256CBC: OpaquePointer?
    let sha1: OpaquePointer?
    let md5: OpaquePointer?
    /// What the fetches returned (nil when one failed), owned and freed here.
    private let fetchedCipher: OpaquePointer?
    private let fetchedSHA1: OpaquePointer?
    private let fetchedMD5: OpaquePointer?

    private init() {
        fetchedCipher = EVP_CIPHER_fetch(nil, "AES-256-CBC", nil)
        fetchedSHA1 = EVP_MD_fetch(nil, "SHA1", nil)
        fetchedMD5 = EVP_MD_fetch(nil, "MD5", nil)
        aes256CBC = fetchedCipher ?? EVP_aes_256_cbc()
        sha1 = fetchedSHA1 ?? EVP_sha1()
        md5 = fetchedMD5 ?? EVP_md5()
    }

    deinit {
        // Both accept NULL.
        EVP_CIPHER_free(fetchedCipher)
        EVP_MD_free(fetchedSHA1)
        EVP_MD_free(fetchedMD5)
    }
}
