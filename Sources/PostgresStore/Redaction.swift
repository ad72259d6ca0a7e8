import Foundation

/// Keeps the password of a connection string out of every message this module produces.
///
/// libpq's own messages do not repeat a password, but a malformed connection string is quoted
/// back piece by piece, and a password may also sit in `PGPASSWORD`. So every message from
/// libpq or the server passes through here before it becomes a ``PostgresError``.
struct Redaction: Sendable {
    /// The passwords to hide: those of the connection string (libpq marks them for hiding) and of
    /// `PGPASSWORD`.
    let secrets: [String]

    static let mask = "***"

    /// Replaces every occurrence of a secret.
    func apply(_ text: String) -> String {
        secrets.reduce(text) { text, secret in text.replacingOccurrences(of: secret, with: Self.mask) }
    }

    /// A message about a connection string that could not be parsed, without the pieces of the
    /// string libpq quotes in it (any of them may be the password).
    static func withoutQuotedParts(_ message: String) -> String {
        var kept = ""
        var quoted = false
        for character in message {
            if character == "\"" {
                quoted.toggle()
                kept += quoted ? "\"\(mask)" : "\""
            } else if !quoted {
                kept.append(character)
            }
        }
        return kept
    }
}
