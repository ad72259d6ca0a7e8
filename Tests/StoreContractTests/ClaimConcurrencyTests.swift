import BotStore
import StoreTestSupport
import Testing

/// Workers on their own connections (as separate processes or hosts would be) drain one queue at once.
@Suite struct ClaimConcurrencyTests {
    struct Claim: Sendable {
        let jobID: Int64
        let owner: String
    }

    static let threads = 4
    static let jobs = 200
    let t0: Int64 = 1_700_000_000

    /// Each worker claims and finishes until the queue is empty. A job claimed twice would show
    /// up twice in `claims`, and the loser's owner-guarded finish would return false.
    @Test(arguments: Backend.allCases) func concurrentWorkersClaimEveryJobExactlyOnce(_ backend: Backend) throws {
        try withStore(backend) { store, database throws in
            for n in 0..<Self.jobs { try store.enqueue(n, at: t0 + Int64(n % 7)) }
            let claims = Locked<[Claim]>([])
            let errors = Locked<[String]>([])
            let ready = Barrier(count: Self.threads)
            let now = t0 + 10
            runOnThreads(Self.threads) { thread in
                let owner = "worker-\(thread)"
                do {
                    let own = try database.openStore()
                    defer { own.close() }
                    ready.arriveAndWait()
                    while let job = try own.claimJob(owner: owner, now: now, lease: 600) {
                        claims.withLock { $0.append(Claim(jobID: job.id, owner: owner)) }
                        let outcome = JobOutcome(kind: .done, content: "answer \(job.id) by \(owner)")
                        if try !own.finishJob(jobID: job.id, owner: owner, outcome: outcome, now: now) {
                            errors.withLock { $0.append("\(owner) lost job \(job.id)") }
                        }
                    }
                } catch {
                    errors.withLock { $0.append("\(owner): \(error)") }
                }
            }

            let failures = errors.withLock { $0 }
            #expect(failures.isEmpty, "\(failures.count) errors, first: \(failures.prefix(3))")
            let all = claims.withLock { $0 }
            #expect(all.count == Self.jobs)
            #expect(Set(all.map(\.jobID)).count == Self.jobs)
            #expect(try store.count("jobs", where: "state = 'done' AND attempts = 1") == Int64(Self.jobs))
            #expect(try store.count("streams", where: "state = 'finished' AND content LIKE 'answer %'") == Int64(Self.jobs))
            // Each stream's answer names the worker that claimed its job.
            for claim in all {
                let predicate = """
                    id = (SELECT stream_id FROM jobs WHERE id = \(claim.jobID))
                      AND content = 'answer \(claim.jobID) by \(claim.owner)'
                    """
                #expect(try store.count("streams", where: predicate) == 1, "job \(claim.jobID)")
            }
        }
    }
}
