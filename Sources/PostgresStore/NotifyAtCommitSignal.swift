import BotStore

/// The PostgreSQL backend's job signal: nothing to do after the commit, because the transaction
/// that queued the job sent `NOTIFY` with its COMMIT (``PostgresConnection/notifyAtCommit(_:)``):
/// listeners hear of committed jobs only, once per transaction.
final class NotifyAtCommitSignal: JobSignal {
    let description: String

    init(channel: String) {
        description = "NOTIFY \(channel) with each commit that queues a job"
    }

    func notifyWorkers() -> Int? { nil }
}
