import BotStore

/// The PostgreSQL backend's job signal: nothing to do after the commit, because the store sent
/// `NOTIFY` itself: an accept right after its commit (``PostgresConnection/notify(_:)``), a requeue
/// with its COMMIT (``PostgresConnection/notifyAtCommit(_:)``). Listeners hear of committed jobs
/// only, once per transaction.
final class NotifyAtCommitSignal: JobSignal {
    let description: String

    init(channel: String) {
        description = "NOTIFY \(channel) after each commit that queues a job"
    }

    func notifyWorkers() {}
}
