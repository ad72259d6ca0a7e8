import BotStore
import Foundation

/// The PostgreSQL backend of ``BotStore``: one connection to a database that responders and
/// workers on any number of hosts share, its tables in one schema.
///
/// Open one store per thread (after `fork()`, never before) and use it from one thread at a
/// time; it is deliberately not `Sendable`. `init` connects; the schema must have been prepared
/// (``PostgresBackend/prepare()``, or ``migrate()``).
///
/// Every call first makes sure the connection is alive, connecting again if the database went
/// away (``PostgresConnection/ensureOpen()``). A call that loses its connection half-way runs
/// again only if running it twice does no harm (reads, and writes that set absolute values);
/// otherwise, and whenever the database cannot take the call now, it throws
/// ``StoreError/unavailable(_:)`` with the cause. Other database failures throw
/// ``PostgresError``, and the cases the protocol names throw ``StoreError``.
///
/// Times follow ``DatabaseClock``: the database's clock decides, the caller's times are
/// distances from its `now`. Calls without a `now` (a snapshot, the next due time, a purge
/// cutoff, the operator's lists) use `hostClock`, the caller's clock.
public final class PostgresStore: BotStore {
    let connection: PostgresConnection
    let settings: PostgresSettings
    /// Whether the session itself limits every statement's waits (a responder's connection).
    let failFast: Bool
    let clock: DatabaseClock
    let hostClock: @Sendable () -> Int64

    /// Connects to the database `settings` name.
    /// - Parameter failFast: a responder's connection: every statement may wait for a lock at
    ///   most `settings.failFastTimeout` (and run a second longer), so that a callback that
    ///   cannot be stored is answered in time with "try again later", and a refresh stuck behind
    ///   an operator's lock does not hold its serving thread.
    public init(settings: PostgresSettings, failFast: Bool = false, clock: DatabaseClock = .server,
                hostClock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) throws {
        self.settings = settings
        self.failFast = failFast
        self.clock = clock
        self.hostClock = hostClock
        var session = "SET search_path TO \(settings.quotedSchema)"
        if failFast { session += "; " + settings.failFastSQL(local: false) }
        do {
            connection = try PostgresConnection(settings: settings, sessionSQL: session)
        } catch let error as PostgresError {
            throw error.forCallers
        }
    }

    /// Closes the connection. Later calls throw. Never fails.
    public func close() {
        connection.close()
    }

    // MARK: running calls

    /// Runs a read: once more if the connection was lost during it (a read changes nothing).
    func read<T>(_ body: () throws -> T) throws -> T {
        try run(repeatable: true, body)
    }

    /// Runs a write (one statement or one transaction). After a lost connection it runs again
    /// only when `repeatable` (running it twice leaves the same rows and result, as an upsert or
    /// a lease renewal to a given time does); otherwise the caller learns that the database is
    /// unavailable, whether or not the write committed before the connection went.
    func write<T>(repeatable: Bool = false, _ body: () throws -> T) throws -> T {
        try run(repeatable: repeatable, body)
    }

    private func run<T>(repeatable: Bool, _ body: () throws -> T) throws -> T {
        do {
            try connection.ensureOpen()
            do {
                return try body()
            } catch let error as PostgresError where error.connectionLost && repeatable {
                try connection.ensureOpen()
                return try body()
            }
        } catch let error as PostgresError {
            throw error.forCallers
        }
    }

    // MARK: operator helpers (tests, wecomctl)

    /// Runs one or more SQL statements, discarding any rows.
    public func execute(_ sql: String) throws {
        try write { _ = try connection.executeSimple(sql) }
    }

    /// The first column of the first row of `sql` as an integer; nil when there is no row or
    /// the value is NULL.
    public func scalarInt(_ sql: String) throws -> Int64? {
        try read {
            let result = try connection.executeSimple(sql)
            return result.rowCount > 0 ? result.optionalInt64(0, 0) : nil
        }
    }
}
