import BotStore
import PostgresStore
import SQLiteStore

/// A store whose tables a test may also read and write with SQL, for the checks the protocol
/// cannot make (every backend keeps the same table and column names). Write SQL both dialects
/// understand.
public protocol TestStore: BotStore {
    func execute(_ sql: String) throws
    func scalarInt(_ sql: String) throws -> Int64?
}

extension SQLiteStore: TestStore {}
extension PostgresStore: TestStore {}

/// What a test could not find in the database.
public struct MissingRow: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

extension TestStore {
    /// Accepts mock message `m<n>` at `now`, which opens stream `s<n>` and queues its job with
    /// `run_at = now`; returns the job id.
    @discardableResult
    public func enqueue(_ n: Int, at now: Int64) throws -> Int64 {
        _ = try acceptMessage(.mock(msgID: "m\(n)", streamID: "s\(n)"), now: now)
        guard let id = try scalarInt("SELECT id FROM jobs WHERE stream_id = 's\(n)'") else {
            throw MissingRow(description: "job of s\(n)")
        }
        return id
    }

    /// How many rows of `table` match `predicate` (SQL).
    public func count(_ table: String, where predicate: String) throws -> Int64 {
        try scalarInt("SELECT count(*) FROM \(table) WHERE \(predicate)") ?? 0
    }

    /// The job row with `id`, checked column by column: true when it holds exactly these values.
    public func jobMatches(_ id: Int64, state: String, owner: String?, leaseUntil: Int64?, attempts: Int,
                           runAt: Int64, lastError: String?, finishedAt: Int64?, updatedAt: Int64) throws -> Bool {
        let predicate = """
            id = \(id) AND state = '\(state)' AND \(Self.matches("lease_owner", owner))
              AND \(Self.matches("lease_until", leaseUntil)) AND attempts = \(attempts) AND run_at = \(runAt)
              AND \(Self.matches("last_error", lastError)) AND \(Self.matches("finished_at", finishedAt))
              AND updated_at = \(updatedAt)
            """
        return try count("jobs", where: predicate) == 1
    }

    /// One job's progress through the batched write the worker uses: true unless the lease was lost.
    public func writeProgress(jobID: Int64, owner: String, content: String, leaseUntil: Int64, now: Int64) throws -> Bool {
        try writeProgress([ProgressUpdate(jobID: jobID, owner: owner, content: content, leaseUntil: leaseUntil)],
                          now: now).isEmpty
    }

    /// Enqueues message `n` at `queuedAt`, claims it as `w<n>` and finishes it at `finishedAt`
    /// as done (answer "answer <n>", `images` images) or dead; returns the job id.
    @discardableResult
    public func completeJob(_ n: Int, _ kind: JobOutcome.Kind, queuedAt: Int64, finishedAt: Int64,
                            images: Int = 0) throws -> Int64 {
        let id = try enqueue(n, at: queuedAt)
        guard let job = try claimJob(owner: "w\(n)", now: queuedAt, lease: 30), job.id == id else {
            throw MissingRow(description: "claim of job \(id)")
        }
        let pictures = (0..<images).map { StreamImage(data: Fixtures.png + [UInt8($0)], md5: "md5-\($0)") }
        let outcome = kind == .done ? JobOutcome(kind: .done, content: "answer \(n)", images: pictures)
            : JobOutcome(kind: .dead, content: "failed \(n)", error: "dify: HTTP 500")
        guard try finishJob(jobID: id, owner: "w\(n)", outcome: outcome, now: finishedAt) else {
            throw MissingRow(description: "finish of job \(id)")
        }
        return id
    }

    private static func matches(_ column: String, _ text: String?) -> String {
        text.map { "\(column) = '\($0.replacingOccurrences(of: "'", with: "''"))'" } ?? "\(column) IS NULL"
    }

    private static func matches(_ column: String, _ number: Int64?) -> String {
        number.map { "\(column) = \($0)" } ?? "\(column) IS NULL"
    }
}
