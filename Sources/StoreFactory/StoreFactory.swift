import BotConfig
import BotStore
import SQLiteStore

/// The store backend the configuration names. The executables, `wecomctl` and the fuzz harness
/// get their store here and use only the `BotStore` protocols, so a backend is added in one place.
public enum StoreFactory {
    /// SQLite at `WECOM_DB_PATH`, its workers woken through `WECOM_WAKE_DIR`. (A PostgreSQL URL in
    /// `WECOM_DATABASE_URL` will select that backend here, before this default.)
    public static func backend(for configuration: Configuration) throws -> any StoreBackend {
        SQLiteBackend(path: configuration.databasePath, wakeDirectory: configuration.wakeDirectory)
    }
}
