import ArgumentParser

struct Store: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the data to another database: SQLite to PostgreSQL, or back.",
        subcommands: [StoreCopy.self])
}
