/// Why a callback is refused, with nothing written. Each case fixes its HTTP status; the
/// category is what the metrics count.
struct Rejection: Error {
    var status: Int
    var reason: String
    var category: RejectionCategory
    var headers: [(String, String)] = []

    static func badRequest(_ reason: String, _ category: RejectionCategory = .malformed) -> Rejection {
        Rejection(status: 400, reason: reason, category: category)
    }
    static func forbidden(_ reason: String, _ category: RejectionCategory = .signature) -> Rejection {
        Rejection(status: 403, reason: reason, category: category)
    }
    static func notFound(_ reason: String, _ category: RejectionCategory) -> Rejection {
        Rejection(status: 404, reason: reason, category: category)
    }
    static func methodNotAllowed(_ method: String) -> Rejection {
        Rejection(status: 405, reason: "method \(method.prefix(16)) not allowed", category: .method,
                  headers: [("Allow", "GET, POST")])
    }
    static func tooLarge(_ bytes: Int, limit: Int) -> Rejection {
        Rejection(status: 413, reason: "body of \(bytes) bytes exceeds \(limit)", category: .tooLarge)
    }
    static func internalError(_ reason: String) -> Rejection { Rejection(status: 500, reason: reason, category: .internal) }
    /// The store could not take the call in time; WeCom delivers the callback again.
    static func unavailable(_ reason: String) -> Rejection {
        Rejection(status: 503, reason: reason, category: .storeUnavailable)
    }
}
