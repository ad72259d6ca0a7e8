import BotStore
import SQLiteStore

extension SQLiteStore {
    /// Enqueues message `n` at `queuedAt`, claims it as `w<n>` and finishes it at `finishedAt`
    /// as done (answer "answer <n>", `images` images) or dead; returns the job id.
    @discardableResult
    func completeJob(_ n: Int, _ kind: JobOutcome.Kind, queuedAt: Int64, finishedAt: Int64, images: Int = 0) throws -> Int64 {
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
}
