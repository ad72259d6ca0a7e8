/// A downloaded resource.
public struct FetchedResource: Sendable, Equatable {
    /// The body, at most the requested `maxBytes`.
    public var bytes: [UInt8]
    /// The final response's `Content-Type`, if any.
    public var contentType: String?
    /// The URL after redirects. It may carry signatures in its query: do not log it.
    public var finalURL: String

    public init(bytes: [UInt8], contentType: String?, finalURL: String) {
        self.bytes = bytes
        self.contentType = contentType
        self.finalURL = finalURL
    }
}
