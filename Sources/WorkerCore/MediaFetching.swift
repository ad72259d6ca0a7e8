import DifyClient

/// Downloads of untrusted URLs (WeCom media, images in answers) under size and address
/// limits. The worker passes a ``SafeFetcher``; tests may pass a stand-in.
public protocol MediaFetching {
    /// See ``SafeFetcher/fetch(_:maxBytes:allowPrivate:maxRedirects:timeout:)``.
    func fetch(_ url: String, maxBytes: Int, allowPrivate: Bool, maxRedirects: Int,
               timeout: Double) throws(FetchError) -> FetchedResource
}

extension SafeFetcher: MediaFetching {}
