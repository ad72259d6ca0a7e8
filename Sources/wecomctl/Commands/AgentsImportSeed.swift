import ArgumentParser
import BotStore
import Foundation
import ServiceSupport
import StoreFactory

struct AgentsImportSeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-seed",
        abstract: "Create agents from the original Python service's agents table, with the same ids and names.",
        discussion: """
        Reads id, name, api_endpoint, api_key and is_active from the original service's \
        PostgreSQL table (default: public.agents in the WECOM_DATABASE_URL database; with the \
        original .env, WECOM_DATABASE_URL=postgresql:// takes PGHOST … PGDATABASE) and saves each \
        active row as an agent with the same id and name, so that WECOM_AIBOT_AGENT_MAPPING such \
        as {"aibXXXX": "1"} keeps working. The table is only read.

        A row whose is_active is not true (false or NULL) is skipped with a line saying so; an \
        agent imported from it earlier stays until `wecomctl agents remove ID`. Running it again \
        updates the agents with those ids (name, base URL, API key) and keeps their welcome text \
        and @name. A row that cannot become an agent (no http(s) api_endpoint, no api_key, an id \
        or name taken) is reported and the others are still imported; the exit status is then 1. \
        API keys are never printed.

        Examples:
          wecomctl agents import-seed
          wecomctl agents import-seed --from postgresql://olduser@old-db/app --table public.agents
          wecomctl agents import-seed --db /var/lib/wecom-bot/wecom-bot.sqlite3 --from postgresql://
        """)

    @Option(help: ArgumentHelp("The original service's PostgreSQL database (default: WECOM_DATABASE_URL).",
                               valueName: "postgresql-uri"))
    var from: String?

    @Option(help: ArgumentHelp("Its agents table.", valueName: "[schema.]name"))
    var table = "public.agents"

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        // The configuration as the services read it: `--db` clears WECOM_DATABASE_URL for the
        // destination, not for the table to read.
        guard let url = try from ?? StartUp.configuration().databaseURL else {
            throw CommandFailure("no PostgreSQL database to read from: pass --from postgresql://… or set WECOM_DATABASE_URL")
        }
        let seed = try StoreFactory.seedAgents(connectionString: url, table: table)
        defer { seed.close() }
        let rows = try seed.seedAgents()
        let (store, backend, config) = try database.openStore(create: true)
        defer { store.close() }
        Console.out("reading \(seed)")
        Console.out("into \(backend)")
        var counts: [String: Int] = [:]
        var failures = 0
        for row in rows {
            do {
                let outcome = try Self.importRow(row, into: store)
                counts[outcome, default: 0] += 1
            } catch let failure as CommandFailure {
                Console.error("not imported: agent \(row.id)\(row.name.map { " (\($0))" } ?? ""): \(failure)")
                failures += 1
            }
        }
        let summary = ["imported", "updated", "unchanged", "skipped"].map { "\(counts[$0, default: 0]) \($0)" }
        Console.out("\(rows.count) row(s): " + summary.joined(separator: ", ")
                    + (failures > 0 ? ", \(failures) not imported" : ""))
        for (aibotID, reference) in config.agentMapping.sorted(by: { $0.key < $1.key }) {
            if let agent = try store.agent(idOrName: reference) {
                Console.out("WECOM_AIBOT_AGENT_MAPPING: \(aibotID) → agent \(agent.id) (\(agent.name))")
            } else {
                Console.error("warning: WECOM_AIBOT_AGENT_MAPPING maps \(aibotID) to '\(reference)', which is no agent: "
                              + "the default agent answers it")
            }
        }
        if failures > 0 { throw CommandFailure("\(failures) of \(rows.count) row(s) not imported (see above)") }
    }

    /// Saves one seed row as an agent; returns what happened, for the summary, after a line
    /// saying so.
    /// - Throws: ``CommandFailure`` when the row cannot become an agent.
    private static func importRow(_ row: SeedAgent, into store: any BotStore) throws -> String {
        let name = (row.name?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 } ?? row.id
        let existing = try store.agents().first { $0.id == row.id }
        guard row.isActive else {
            let kept = existing.map { _ in "; the agent imported earlier stays (wecomctl agents remove \(row.id))" } ?? ""
            Console.out("skipped agent \(row.id) (\(name)): is_active is not true\(kept)")
            return "skipped"
        }
        guard Identifier.isValidAgentID(row.id) else {
            throw CommandFailure("the id must be 1–64 letters, digits, '_', '-' or '.'")
        }
        guard let endpoint = row.apiEndpoint?.trimmingCharacters(in: .whitespaces), let url = URLComponents(string: endpoint),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host?.isEmpty == false,
              url.query == nil else {
            throw CommandFailure("api_endpoint is not an http:// or https:// URL without a query")
        }
        guard let key = row.apiKey, !key.isEmpty, !key.contains(where: \.isWhitespace) else {
            throw CommandFailure("api_key is empty or contains spaces")
        }
        if let other = try store.agent(idOrName: name), other.id != row.id, other.name == name {
            throw CommandFailure("the name '\(name)' is already used by agent \(other.id)")
        }
        let agent = AgentRecord(id: row.id, name: name,
                                difyBaseURL: endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint,
                                difyAPIKey: key, welcomeText: existing?.welcomeText, botName: existing?.botName,
                                createdAt: existing?.createdAt ?? Formatting.now)
        let outcome = existing == nil ? "imported" : existing == agent ? "unchanged" : "updated"
        if outcome != "unchanged" { try store.saveAgent(agent) }
        Console.out("\(outcome) agent \(agent.id) (\(agent.name)) \(Formatting.hostAndPath(agent.difyBaseURL))")
        return outcome
    }
}
