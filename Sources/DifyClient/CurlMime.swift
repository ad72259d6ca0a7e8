import CCurl

/// Owns a `curl_mime` multipart body (`curl_mime_free` in `deinit`).
///
/// libcurl copies names, file names, types and data, so the Swift values may be temporaries.
/// The body must outlive the transfer; ``CurlEasy/setMultipart(_:)`` keeps it alive.
/// See <https://curl.se/libcurl/c/curl_mime_init.html>.
final class CurlMime {
    let pointer: OpaquePointer

    init(easy: CurlEasy) {
        guard let mime = curl_mime_init(easy.handle) else { fatalError("curl_mime_init: out of memory") }
        pointer = mime
    }

    deinit { curl_mime_free(pointer) }

    /// Adds a part holding `data`, optionally as a file (`filename` and content `type`).
    func addPart(name: String, data: [UInt8], filename: String? = nil, type: String? = nil) {
        guard let part = curl_mime_addpart(pointer) else { fatalError("curl_mime_addpart: out of memory") }
        Self.check(curl_mime_name(part, name), "curl_mime_name")
        if data.isEmpty {
            // A NULL pointer would mean "no data" to curl, so pass an empty C string.
            Self.check(curl_mime_data(part, "", 0), "curl_mime_data")
        } else {
            data.withUnsafeBytes { bytes in
                let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
                Self.check(curl_mime_data(part, base, bytes.count), "curl_mime_data")
            }
        }
        if let filename { Self.check(curl_mime_filename(part, filename), "curl_mime_filename") }
        if let type { Self.check(curl_mime_type(part, type), "curl_mime_type") }
    }

    /// Adds a plain text field.
    func addField(name: String, value: String) {
        addPart(name: name, data: Array(value.utf8))
    }

    private static func check(_ code: CURLcode, _ function: String) {
        precondition(code == CURLE_OK, "\(function) failed with CURLcode \(code.rawValue)")
    }
}

@available(*, unavailable)
extension CurlMime: Sendable {}
