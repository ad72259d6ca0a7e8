import ArgumentParser
import BotConfig
import Foundation
import SQLiteStore
import ServiceSupport

/// `--db PATH` and the configuration every database command starts from.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite file (default: WECOM_DB_PATH, else var/wecom-bot.sqlite3).",
                                            valueName: "path"))
    var db: String?

    /// The configuration (one line and exit 78 when it is invalid), with `--db` applied.
    func configuration() throws -> Configuration {
        try StartUp.configuration(overrides: db.map { ["WECOM_DB_PATH": $0] } ?? [:])
    }

    /// Opens the database, migrated. With `create`, a missing file (and its folder) is created
    /// like the services do; otherwise a missing file is an error, so that a mistyped path
    /// does not leave an empty database behind.
    func openStore(create: Bool) throws -> (SQLiteStore, Configuration) {
        let config = try configuration()
        if create {
            try StartUp.prepareDatabase(config)
        } else if !FileManager.default.fileExists(atPath: config.databasePath) {
            throw CommandFailure("no database at \(config.databasePath): run `wecomctl init`, or pass --db PATH")
        }
        let store = try SQLiteStore(path: config.databasePath)
        try store.migrate()
        return (store, config)
    }
}
