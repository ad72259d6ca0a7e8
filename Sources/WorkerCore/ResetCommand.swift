import Foundation
/// `/new` or `/reset` (also full-width ／): the user asks for a fresh Dify conversation.
public enum ResetCommand {
    public static func matches(_ text: String?) -> Bool {
        guard let text else { return false }
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "／", with: "/").lowercased()
        return t == "/new" || t == "/reset"
    }
}
