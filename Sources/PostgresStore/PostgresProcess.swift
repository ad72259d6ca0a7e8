import BotStore

/// What the threads of one PostgreSQL responder or worker process share: only their settings.
/// Each thread gets its own connection; concurrent accepts are the database's business.
final class PostgresProcess: StoreProcess {
    private let settings: PostgresSettings
    private let failFast: Bool
    private let clock: DatabaseClock

    init(settings: PostgresSettings, failFast: Bool, clock: DatabaseClock) {
        self.settings = settings
        self.failFast = failFast
        self.clock = clock
    }

    func openStore() throws -> any BotStore {
        try PostgresStore(settings: settings, failFast: failFast, clock: clock)
    }

    /// Nothing runs beside the threads.
    func stop() {}
}
