import ArgumentParser
import Foundation

/// `wecomctl`: the operator's command line for a wecom-bot installation.
@main
struct WeComCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wecomctl",
        abstract: "Operate wecom-bot: database, bots, agents, queue and connection status, messages bots send first, and an end-to-end check.",
        discussion: """
        Every command reads the configuration like wecom-fcgi and wecom-worker do: the environment, \
        then the .env file (WECOM_ENV_FILE), so WECOM_DB_PATH picks the database; --db overrides it. \
        Secrets (tokens, AES keys, long-connection secrets, Dify API keys) are never printed.

        Examples:
          wecomctl init
          wecomctl bots add aibXXXX --token TOKEN --aes-key KEY43 --agent sales
          wecomctl bots add aibYYYY --ws-secret-file /etc/wecom-bot/aibYYYY.secret
          wecomctl status
          wecomctl send aibYYYY --to zhangsan --markdown "**提醒**：明天例会"
          wecomctl store copy --from var/wecom-bot.sqlite3 --to postgresql://wecom@db.internal/wecom
          wecomctl simulate http://127.0.0.1:15000/wecom/callback/aibXXXX --text "你好"
        """,
        subcommands: [Init.self, Bots.self, Agents.self, Status.self, Send.self, Streams.self, Jobs.self, Purge.self,
                      Store.self, GenKey.self, Simulate.self])

    /// Like ArgumentParser's own `main()`, except that a failure is one line on stderr
    /// (`wecomctl: …`) with no usage text; help and version still print in full.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = (error as? CommandFailure).map { ExitCode($0.exitCode) } ?? exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = message(for: error).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            let hint = code == ExitCode.validationFailure ? " (see --help)" : ""
            if !message.isEmpty { Console.error("wecomctl: " + message + hint) }
            Foundation.exit(code.rawValue)
        }
    }
}
