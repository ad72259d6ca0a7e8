import DifyClient

/// Posts to a message's WeCom `response_url` (the answer that missed the stream). The worker
/// passes a ``ResponseURLPoster``; tests may pass a stand-in.
public protocol ResponseURLPosting {
    /// See ``ResponseURLPoster/post(json:to:allowedOrigins:)``.
    func post(json: [UInt8], to url: String, allowedOrigins: [String]) throws(ResponseURLError) -> (status: Int, body: String)
}

extension ResponseURLPoster: ResponseURLPosting {}
