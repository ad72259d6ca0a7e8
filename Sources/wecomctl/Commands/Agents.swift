import ArgumentParser

struct Agents: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage agents: the Dify apps that answer, by id or name.",
        discussion: """
        A bot names its agent with `bots add --agent`, or WECOM_AIBOT_AGENT_MAPPING maps an \
        aibotid to one; everything else goes to the default agent (DIFY_API_BASE_URL, DIFY_API_KEY).
        """,
        subcommands: [AgentsAdd.self, AgentsList.self, AgentsRemove.self, AgentsImportSeed.self])
}
