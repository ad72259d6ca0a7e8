import BotStore
import SQLiteStore

/// What a test could not find in the database.
struct MissingRow: Error, CustomStringConvertible {
    let description: String
}

extension SQLiteStore {
    /// Accepts mock message `m<n>` at `now`, which opens stream `s<n>` and queues its job with
    /// `run_at = now`; returns the job id.
    @discardableResult
    func enqueue(_ n: Int, at now: Int64) throws -> Int64 {
        _ = try acceptMessage(.mock(msgID: "m\(n)", streamID: "s\(n)"), now: now)
        guard let id = try scalarInt("SELECT id FROM jobs WHERE stream_id = 's\(n)'") else {
            throw MissingRow(description: "job of s\(n)")
        }
        return id
    }

    /// How many rows of `table` match `predicate` (SQL).
    func count(_ table: String, where predicate: String) throws -> Int64 {
        try scalarInt("SELECT count(*) FROM \(table) WHERE \(predicate)") ?? 0
    }

    /// The job row with `id`, checked column by column: true when it holds exactly these values.
    func jobMatches(_ id: Int64, state: String, owner: String?, leaseUntil: Int64?, attempts: Int,
                    runAt: Int64, lastError: String?, finishedAt: Int64?, updatedAt: Int64) throws -> Bool {
        let predicate = """
            id = \(id) AND state = '\(state)' AND lease_owner IS \(Self.literal(owner))
              AND lease_until IS \(Self.literal(leaseUntil)) AND attempts = \(attempts) AND run_at = \(runAt)
              AND last_error IS \(Self.literal(lastError)) AND finished_at IS \(Self.literal(finishedAt))
              AND updated_at = \(updatedAt)
            """
        return try count("jobs", where: predicate) == 1
    }

    private static func literal(_ text: String?) -> String {
        text.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" } ?? "NULL"
    }

    private static func literal(_ number: Int64?) -> String {
        number.map(String.init) ?? "NULL"
    }
}
