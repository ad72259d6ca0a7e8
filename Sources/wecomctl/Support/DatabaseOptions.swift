import ArgumentParser
import BotConfig
import BotStore
import ServiceSupport
import StoreFactory

/// `--db PATH` and the configuration every database command starts from.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The SQLite file (default: WECOM_DB_PATH, else var/wecom-bot.sqlite3; without --db, WECOM_DATABASE_URL selects PostgreSQL).",
        valueName: "path"))
    var db: String?

    /// The configuration (one line and exit 78 when it is invalid), with `--db` applied: a file
    /// named on the command line wins over a PostgreSQL URL in the environment.
    func configuration() throws -> Configuration {
        try StartUp.configuration(overrides: db.map { ["WECOM_DB_PATH": $0, "WECOM_DATABASE_URL": ""] } ?? [:])
    }

    /// Opens the database, migrated, with the backend and configuration it came from. With
    /// `create`, a missing database (and its folder) is created like the services do; otherwise a
    /// missing one is an error, so that a mistyped path does not leave an empty database behind.
    func openStore(create: Bool) throws -> (any BotStore, any StoreBackend, Configuration) {
        let config = try configuration()
        let backend = try StoreFactory.backend(for: config)
        if !create, try !backend.exists() {
            throw CommandFailure("no database at \(backend): run `wecomctl init`, or pass --db PATH")
        }
        try backend.prepare()
        return (try backend.openStore(), backend, config)
    }
}
