import BotStore
import Logging

/// The PostgreSQL backend: one schema of a database that responders and workers on any number
/// of hosts share. Workers are woken by `LISTEN`/`NOTIFY` on a channel named after the schema.
public struct PostgresBackend: StoreBackend {
    public let settings: PostgresSettings
    /// ``DatabaseClock/server`` except in tests that move time by hand.
    public let clock: DatabaseClock

    public init(settings: PostgresSettings, clock: DatabaseClock = .server) {
        self.settings = settings
        self.clock = clock
    }

    /// Host, port, database, user and schema; never the password.
    public var description: String { settings.description }

    /// Whether the schema holds this store's tables (it connects, so an unreachable or
    /// misspelt database throws instead).
    public func exists() throws -> Bool {
        let store = try PostgresStore(settings: settings, clock: clock)
        defer { store.close() }
        return try store.schemaVersion() > 0
    }

    /// Creates the schema and its tables, or migrates them (see ``PostgresStore/migrate()``).
    public func prepare() throws {
        let store = try PostgresStore(settings: settings, clock: clock)
        defer { store.close() }
        try store.migrate()
    }

    /// Nothing is shared between the threads of a process: each has its own connection, and the
    /// database itself is the accept path. A responder's connections fail fast
    /// (``PostgresSettings/failFastTimeout``).
    public func startProcess(_ role: StoreProcessRole, logger: Logger) throws -> any StoreProcess {
        try prepare()
        let failFast = if case .responder = role { true } else { false }
        return PostgresProcess(settings: settings, failFast: failFast, clock: clock)
    }

    public func openStore() throws -> any BotStore {
        try PostgresStore(settings: settings, clock: clock)
    }

    public func openProbe() throws -> any BotStore {
        try PostgresStore(settings: settings, failFast: true, clock: clock)
    }

    public func openTransfer() throws -> any BotStore & StoreTransfer {
        try PostgresStore(settings: settings, clock: clock)
    }

    /// Does nothing: the store sends the `NOTIFY` itself once a job is committed.
    public func makeJobSignal() -> any JobSignal {
        NotifyAtCommitSignal(channel: settings.jobChannel)
    }

    /// A connection of its own that `LISTEN`s on the schema's channel.
    public func makeJobWaiter() throws -> any JobWaiter {
        try NotificationWaiter(settings: settings)
    }

    /// A plain `VACUUM (ANALYZE)` of the tables a purge deletes from: it takes no lock that
    /// responders or workers wait for, and makes the deleted rows' space reusable at once
    /// (autovacuum would get there too, later). The files keep their size.
    public func reclaimSpace() throws -> String {
        let store = try PostgresStore(settings: settings, clock: clock)
        defer { store.close() }
        try store.execute("VACUUM (ANALYZE) streams, messages, stream_images, jobs")
        return "VACUUM (ANALYZE) streams, messages, stream_images, jobs: "
            + "the deleted rows' space is reusable (the files keep their size)"
    }
}
