import Foundation

/// The callback URL `simulate` talks to: `http(s)://host[:port]/…/wecom/callback/<botid>`.
struct CallbackTarget {
    /// The URL without query or fragment.
    let endpoint: String
    let botID: String

    init(_ url: String) throws {
        guard var parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", parts.host?.isEmpty == false else {
            throw CommandFailure("'\(url)' is not an http:// or https:// URL")
        }
        let botID = parts.path.split(separator: "/").last.map(String.init) ?? ""
        guard parts.path.hasSuffix("/wecom/callback/" + botID), Identifier.isValidBotID(botID) else {
            throw CommandFailure("the URL must end in /wecom/callback/<botid>, e.g. http://127.0.0.1:15000/wecom/callback/mybot")
        }
        parts.query = nil
        parts.fragment = nil
        guard let endpoint = parts.string else { throw CommandFailure("'\(url)' does not parse") }
        self.endpoint = endpoint
        self.botID = botID
    }
}
