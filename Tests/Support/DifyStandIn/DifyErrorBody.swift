import Foundation

/// Dify's HTTP error responses (before any stream starts): `{"code","message","status"}` as
/// written by `libs/external_api.py`, plus the proxy pages seen in front of it.
public enum DifyErrorBody {
    /// A Dify JSON error body with that HTTP status.
    public static func response(status: Int, code: String, message: String,
                                extraHeaders: [String: String] = [:]) -> CannedResponse {
        let body = JSONText.object([
            ("code", .string(code)), ("message", .string(message)), ("status", .int(status)),
        ]).encoded(.compact) + "\n"
        return CannedResponse(status: status, body: body, contentType: "application/json", headers: extraHeaders)
    }

    /// 401 for a missing / malformed / unknown key (with `WWW-Authenticate`, as Dify sends).
    public static func unauthorized(_ message: String = "Access token is invalid") -> CannedResponse {
        response(status: 401, code: "unauthorized", message: message,
                 extraHeaders: ["WWW-Authenticate": "Bearer realm=\"api\""])
    }

    public static let conversationNotExists = response(status: 404, code: "not_found", message: "Conversation Not Exists.")

    public static let internalServerError = response(
        status: 500, code: "internal_server_error", message: "Internal Server Error, please contact support.")

    public static let tooManyRequests = response(
        status: 429, code: "too_many_requests",
        message: "Too many requests. Please try again later. The current maximum concurrent requests allowed for App is 1.")

    public static func invalidParam(_ message: String) -> CannedResponse {
        response(status: 400, code: "invalid_param", message: message)
    }

    /// Flask's 404 for a URL no route matches.
    public static let notFoundURL = response(
        status: 404, code: "not_found",
        message: "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.")

    public static let methodNotAllowed = response(
        status: 405, code: "method_not_allowed", message: "The method is not allowed for the requested URL.")

    /// An nginx 502 page (HTML, not JSON) as a proxy in front of Dify returns it.
    public static let badGatewayHTML = CannedResponse(
        status: 502,
        body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        contentType: "text/html")
}
