import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or migrate the database, then print its path and schema version.",
        discussion: """
        Safe to run at any time, also while the services run: migrating is idempotent. The \
        services migrate on start too, so this is optional; it is the way to check which file \
        the configuration points at.

        Example:
          wecomctl init --db /var/lib/wecom-bot/wecom-bot.sqlite3
        """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, config) = try database.openStore(create: true)
        defer { store.close() }
        let path = URL(fileURLWithPath: config.databasePath).standardizedFileURL.path
        Console.out("database: \(path)")
        Console.out("schema version: \(try store.schemaVersion())")
    }
}
