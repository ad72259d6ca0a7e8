/// `GET|POST /wecom/callback/<botid>`, botid = 1–64 of `[A-Za-z0-9_-]`.
enum CallbackRoute {
    static let prefix = "/wecom/callback/"

    /// The botid named by `path` (PATH_INFO `/<botid>` or the full request path).
    static func botID(fromPath path: String) throws(Rejection) -> String {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let candidate: Substring
        if pathOnly.hasPrefix(prefix) {
            candidate = pathOnly.dropFirst(prefix.count)
        } else if pathOnly.hasPrefix("/") {
            candidate = pathOnly.dropFirst()
        } else {
            throw .notFound("no route for this path", .route)
        }
        guard isValidBotID(candidate) else { throw .notFound("no route for this path", .route) }
        return String(candidate)
    }

    static func isValidBotID(_ s: Substring) -> Bool {
        (1...64).contains(s.utf8.count) && s.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
        }
    }
}
