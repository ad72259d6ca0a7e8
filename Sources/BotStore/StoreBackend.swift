import Logging

/// A configured store backend: where the data lives and how a process reaches it. Made once per
/// process by `StoreFactory` from the configuration; it holds settings, no connection, so a
/// pre-fork master can make it and its children use it.
///
/// A backend brings everything that differs between databases, so that the executables only
/// wire it up: its connections (``BotStore``), the accept path and the upkeep a process shares
/// among its threads (``StoreProcess``), and the signal that wakes idle workers when a job is
/// queued (``JobSignal``, ``JobWaiter``).
public protocol StoreBackend: Sendable, CustomStringConvertible {
    /// Where the data is, for logs and `wecomctl` (a file, a host and database); never a password.
    var description: String { get }

    /// Whether the database exists; creates nothing, so that an operator command pointed at a
    /// mistyped location fails instead of leaving an empty database there.
    func exists() throws -> Bool

    /// Creates what is missing and brings the schema to this build's version. Idempotent and
    /// safe when several processes do it at once; throws `StoreError.schemaTooNew` for a
    /// database a newer build migrated.
    func prepare() throws

    /// Prepares the database (as ``prepare()``) and starts what the threads of one process of
    /// `role` share. Call it in the process that keeps it, after any `fork()` (a forked child
    /// gets no threads), before the process opens any other connection (process-wide settings
    /// may have to come first); stop it when the threads using its stores have stopped.
    func startProcess(_ role: StoreProcessRole, logger: Logger) throws -> any StoreProcess

    /// A connection for a process with nothing to share (`wecomctl`, tools, tests): its writes do
    /// their own upkeep as they go.
    func openStore() throws -> any BotStore

    /// A connection for a health check: its calls give up as a responder's do (a lock held by
    /// an operator, a database that stopped answering), so that `/healthz` answers 503 with the
    /// reason instead of waiting as long as the lock is held.
    func openProbe() throws -> any BotStore

    /// A connection that also reads and writes whole records, for moving the data to another
    /// store (`wecomctl store copy`).
    func openTransfer() throws -> any BotStore & StoreTransfer

    /// For one thread that queues jobs (a serving thread, `wecomctl jobs retry`).
    func makeJobSignal() -> any JobSignal

    /// For the one thread of a worker process that waits for the job signal.
    func makeJobWaiter() throws -> any JobWaiter

    /// Gives back what a `purge` freed, as far as the backend does that online, and says what it
    /// did in one line for the operator.
    func reclaimSpace() throws -> String
}
