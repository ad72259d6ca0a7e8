/// What `wecomctl` needs beyond the service paths: a status overview, one stream in detail,
/// the job list, putting a job back in the queue, and clearing old rows.
///
/// Read methods are consistent snapshots (one read transaction or one statement); write
/// methods take the write lock like every other write, so they are safe while responders
/// and workers run.
public protocol OperatorStore: AnyObject {
    /// The schema version the database is at (0 for an empty file).
    func schemaVersion() throws -> Int

    /// Queue and stream counts by state, the oldest queued job's age and the expired leases,
    /// as of `now` (unix seconds).
    func statusReport(now: Int64) throws -> StatusReport

    /// Everything about one stream and its job (content in full, images counted, not loaded);
    /// nil for an unknown id.
    func streamDetail(id: String) throws -> StreamDetail?

    /// Jobs, newest first, optionally only those in `state`; at most `limit` (≥ 1).
    func jobs(state: JobState?, limit: Int) throws -> [JobSummary]

    /// Puts a `dead` or `done` job back in the queue, in one write transaction: `queued` with
    /// `run_at = now`, attempts 0, lease cleared (its `last_error` is kept until it runs again);
    /// its stream is reopened (`pending`, not finished, empty content, no error, no images).
    /// A `queued` or `running` job is left alone.
    func requeueJob(id: Int64, now: Int64) throws -> RequeueResult

    /// Deletes, in write transactions of at most `batch` streams each, the finished or failed
    /// streams whose `finished_at` is before `cutoff` (with their messages, images, job and push
    /// state), unless their job is queued, running, or finished at or after `cutoff`; then any
    /// remaining `done`/`dead` job finished before `cutoff`, then the messages the bot sent first
    /// that were sent, failed or cancelled before `cutoff`. Queued and running work is never
    /// touched. Msgids of purged messages are forgotten, so keep `cutoff` well past WeCom's
    /// redelivery window (minutes).
    func purge(olderThan cutoff: Int64, batch: Int) throws -> PurgeCounts
}
