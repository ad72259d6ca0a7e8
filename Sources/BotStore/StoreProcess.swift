/// What a process does with the store, which decides what its threads share.
public enum StoreProcessRole: Sendable, Equatable {
    /// Accepts messages on `threads` threads at once (a `wecom-fcgi` serving process).
    case responder(threads: Int)
    /// Drains the queue (`wecom-worker`): a claimer, a progress writer and a pool of connections
    /// for the running answers.
    case worker
}

/// What the threads of one process share of its backend, started by
/// ``StoreBackend/startProcess(_:logger:)``: the accept path its connections commit through and
/// the upkeep that runs beside them (SQLite: the group committer of new messages and the
/// checkpointing thread).
public protocol StoreProcess: AnyObject, Sendable {
    /// A connection for one thread of the process (a serving thread, the claimer, the progress
    /// writer, a pooled connection of the answers), used by one thread at a time.
    func openStore() throws -> any BotStore

    /// Stops the upkeep and logs what the stop log should show (SQLite: how many transactions
    /// the new messages took). Call it once the threads using its stores have stopped; later
    /// calls do nothing.
    func stop()
}
