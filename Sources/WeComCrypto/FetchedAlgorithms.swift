import COpenSSL

/// AES-256-CBC, SHA-1 and MD5 fetched from OpenSSL's default provider once per process.
/// Passing `EVP_aes_256_cbc()` or `EVP_sha1()` makes OpenSSL 3 look the algorithm up again on
/// every init (a name lookup under a read lock); measured on the refresh path it was about 2 %
/// of the responder's CPU. Falls back to those legacy handles if a fetch fails.
final class FetchedAlgorithms: @unchecked Sendable {
    // @unchecked: the pointers are set once in init and only read afterwards; OpenSSL's fetched
    // algorithm objects are reference-counted, immutable and safe to share between threads.
    static let shared = FetchedAlgorithms()

    let aes256CBC: OpaquePointer?
    let sha1: OpaquePointer?
    let md5: OpaquePointer?
    private let owned: [OpaquePointer]
    private let ownedDigests: [OpaquePointer]

    private init() {
        let cipher = EVP_CIPHER_fetch(nil, "AES-256-CBC", nil)
        let sha1 = EVP_MD_fetch(nil, "SHA1", nil)
        let md5 = EVP_MD_fetch(nil, "MD5", nil)
        aes256CBC = cipher ?? EVP_aes_256_cbc()
        self.sha1 = sha1 ?? EVP_sha1()
        self.md5 = md5 ?? EVP_md5()
        owned = [cipher].compactMap { $0 }
        ownedDigests = [sha1, md5].compactMap { $0 }
    }

    deinit {
        for cipher in owned { EVP_CIPHER_free(cipher) }
        for digest in ownedDigests { EVP_MD_free(digest) }
    }
}
