import ArgumentParser

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or migrate the database, then print where it is and its schema version.",
        discussion: """
        Safe to run at any time, also while the services run: migrating is idempotent. The \
        services migrate on start too, so this is optional; it is the way to check which file \
        the configuration points at.

        Example:
          wecomctl init --db /var/lib/wecom-bot/wecom-bot.sqlite3
        """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, backend, _) = try database.openStore(create: true)
        defer { store.close() }
        Console.out("database: \(backend)")
        Console.out("schema version: \(try store.schemaVersion())")
    }
}
