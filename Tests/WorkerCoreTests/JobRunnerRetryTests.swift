import BotStore
import DifyStandIn
import Foundation
import Testing
@testable import WorkerCore
import WeComModel

/// Failures: retried when transient and nothing was shown yet, else a readable message; a
/// stale conversation is asked again once in a new one.
@Suite(.timeLimit(.minutes(1))) struct JobRunnerRetryTests {
    @Test func aServerErrorBeforeAnyOutputIsRetriedLaterThenAnswered() throws {
        let f = try RunnerFixture()
        f.dify.enqueue(.internalServerError)
        f.dify.defaultScript = .answer(chunks: ["好的，", "没问题。"])
        let job = try f.claimNewJob("帮个忙")
        #expect(f.start(job).wait())

        var detail = try f.detail(job)
        let waiting = try #require(detail.job)
        #expect(waiting.state == .queued)
        #expect(waiting.attempts == 1)
        #expect(waiting.lastError?.hasPrefix("dify: Dify HTTP 500") == true)
        let start = Int64(RunnerFixture.messageAt)
        #expect((start + 1...start + 2).contains(waiting.runAt), "the first retry waits 1–2 s")
        #expect(!detail.finished)
        #expect(detail.content == "")

        f.clock.set(Double(waiting.runAt))
        let again = try f.claim(owner: "runner-2")
        #expect(again.attempts == 2)
        #expect(f.start(again, owner: "runner-2").wait())
        detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.content == "好的，没问题。")
        #expect(f.dify.chatRequests.count == 2)
    }

    @Test func aTransientFailureOnTheLastAttemptIsShown() throws {
        let f = try RunnerFixture()
        f.dify.defaultScript = .tooManyRequests
        let job = try f.claimNewJob("帮个忙", maxAttempts: 1)
        #expect(f.start(job).wait())

        let detail = try f.detail(job)
        #expect(detail.job?.state == .dead)
        #expect(detail.state == .failed)
        #expect(detail.content == UserNotice.difyHTTP(status: 429))
        #expect(detail.job?.lastError?.hasPrefix("dify: Dify HTTP 429") == true)
    }

    @Test func aStaleConversationIsDroppedAndTheQuestionAskedOnceMoreInANewOne() throws {
        let f = try RunnerFixture()
        try f.store.saveConversationID("stale", for: RunnerFixture.conversation, now: Int64(RunnerFixture.messageAt))
        // Dify says so inside the stream, on an event that carries the stale id.
        f.dify.defaultScript = .custom { [weak dify = f.dify] chat, writer in
            guard let stream = dify?.eventStream(for: chat, writer: writer), stream.start() else { return }
            if chat.isContinuation {
                _ = stream.error(code: "not_found", message: "Conversation Not Exists.", status: 404)
            } else {
                _ = stream.message("重新开始了") && stream.messageEnd()
            }
            stream.finish()
        }
        let job = try f.claimNewJob("第四问")
        #expect(f.start(job).wait())

        #expect(try f.detail(job).content == "重新开始了")
        let requests = f.dify.chatRequests
        #expect(requests.count == 2)
        #expect(requests.first?.requestedConversationID == "stale")
        #expect(requests.last?.isContinuation == false)
        let fresh = try #require(requests.last?.conversationID)
        #expect(try f.store.conversationID(for: RunnerFixture.conversation) == fresh)
        #expect(f.log.contains("stale Dify conversation cleared"))
    }
}
