import Foundation
import JSONCore

/// `WECOM_AIBOT_AGENT_MAPPING`: a JSON object from aibotid to an agent id or name. Values
/// may be strings or integers (the original service wrote agent ids such as `"1"` or `1`).
enum AgentMapping {
    static let variable = "WECOM_AIBOT_AGENT_MAPPING"

    static func parse(_ raw: String?) throws -> [String: String] {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        guard case let .object(members)? = try? JSONReader.parse(Array(raw.utf8), depthLimit: 64) else {
            throw ConfigurationError(variable: variable, reason: "must be a JSON object such as {\"aibXXXX\": \"agent-id\"}")
        }
        var mapping: [String: String] = [:]
        for (aibotID, value) in members {
            guard let agent = agentName(value), !agent.isEmpty else {
                throw ConfigurationError(variable: variable, reason: "the value for \"\(aibotID)\" must be a non-empty agent id or name")
            }
            mapping[aibotID] = agent
        }
        return mapping
    }

    /// A string as it is; an integer in decimal. Integers of 2^53 and above are refused: a
    /// `Double` no longer holds every one of them, so the digits written back could differ.
    private static func agentName(_ value: JSONValue) -> String? {
        switch value {
        case let .string(text): text
        case let .number(number): JSONWriter.exactInteger(number).map { String($0) }
        default: nil
        }
    }
}
