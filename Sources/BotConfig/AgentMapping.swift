import Foundation

/// `WECOM_AIBOT_AGENT_MAPPING`: a JSON object from aibotid to an agent id or name. Values
/// may be strings or integers (the original service wrote agent ids such as `"1"` or `1`).
enum AgentMapping {
    static let variable = "WECOM_AIBOT_AGENT_MAPPING"

    private enum Value: Decodable {
        case text(String)
        case other

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .text(s) }
            else if let bool = try? c.decode(Bool.self) { _ = bool; self = .other }
            else if let n = try? c.decode(Int64.self) { self = .text(String(n)) }
            else { self = .other }
        }
    }

    static func parse(_ raw: String?) throws -> [String: String] {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        guard let dict = try? JSONDecoder().decode([String: Value].self, from: Data(raw.utf8)) else {
            throw ConfigurationError(variable: variable, reason: "must be a JSON object such as {\"aibXXXX\": \"agent-id\"}")
        }
        var mapping: [String: String] = [:]
        for (aibotID, value) in dict {
            guard case let .text(agent) = value, !agent.isEmpty else {
                throw ConfigurationError(variable: variable, reason: "the value for \"\(aibotID)\" must be a non-empty agent id or name")
            }
            mapping[aibotID] = agent
        }
        return mapping
    }
}
