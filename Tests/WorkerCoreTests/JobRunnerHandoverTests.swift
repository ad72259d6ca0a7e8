import BotStore
import DifyStandIn
import Foundation
import Testing
@testable import WorkerCore

/// An answer in progress that stops being this runner's: another worker took the job over
/// (its lease looked expired), or shutdown's grace period ended.
@Suite(.timeLimit(.minutes(1))) struct JobRunnerHandoverTests {
    static let sentences = ["第一句。", "第二句。", "第三句。"]

    /// Starts a three-sentence answer that Dify holds after its first sentence, which is in the stream.
    static func startStory(_ f: RunnerFixture) throws -> (ClaimedJob, RunningJob, Gate) {
        let gate = Gate()
        f.dify.defaultScript = .gated(chunks: sentences, gate: gate)
        let job = try f.claimNewJob("讲个故事")
        let running = f.start(job)
        #expect(gate.waitForWaiters(1, timeout: 10))
        gate.open(1)
        try f.waitUntil("the first sentence is in the stream") { try f.detail(job).content == sentences[0] }
        return (job, running, gate)
    }

    @Test func anAnswerWhoseJobAnotherWorkerTookOverStopsAndWritesNothingMore() throws {
        let f = try RunnerFixture()
        let (job, running, gate) = try Self.startStory(f)

        // Another worker, whose clock is past this lease, claims the job.
        let later = Int64(RunnerFixture.messageAt) + RunnerFixture.lease + 1
        let taken = try #require(try f.store.claimJob(owner: "runner-2", now: later, lease: RunnerFixture.lease))
        #expect(taken.id == job.id)
        gate.open(1)
        #expect(running.wait())
        try f.waitUntil("the stand-in's stream is cut") { gate.waiting == 0 }

        let detail = try f.detail(job)
        #expect(detail.job?.state == .running)
        #expect(detail.job?.leaseOwner == "runner-2")
        #expect(detail.job?.attempts == 2)
        #expect(detail.content == Self.sentences[0], "the lost runner's next write was refused")
        #expect(!detail.finished)
        #expect(f.log.contains("lease lost"))
        #expect(f.dify.postedResponses.isEmpty)
    }

    @Test func shutdownHandsAnAnswerInProgressBackToTheQueue() throws {
        let f = try RunnerFixture()
        let (job, running, gate) = try Self.startStory(f)

        running.release()
        #expect(running.wait())
        var detail = try f.detail(job)
        let handedBack = try #require(detail.job)
        #expect(handedBack.state == .queued)
        #expect(handedBack.leaseOwner == nil)
        #expect(handedBack.runAt == Int64(RunnerFixture.messageAt), "due again at once")
        #expect(handedBack.lastError == "released at worker shutdown")
        #expect(!detail.finished)
        #expect(f.log.contains("job released at shutdown"))

        // The next worker starts the answer over.
        gate.openAll()
        let again = try f.claim(owner: "runner-2")
        #expect(again.attempts == 2)
        #expect(f.start(again, owner: "runner-2").wait())
        detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.content == Self.sentences.joined())
        #expect(f.dify.chatRequests.count == 2)
    }
}
