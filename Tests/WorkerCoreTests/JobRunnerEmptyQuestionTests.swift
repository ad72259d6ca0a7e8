import Testing
@testable import WorkerCore
import WeComModel

/// A message with nothing to ask (a group message that was only the bot's @name) gets a
/// prompt for the question, and Dify, which refuses an empty query, is not called.
@Suite(.timeLimit(.minutes(1))) struct JobRunnerEmptyQuestionTests {
    @Test func aMessageWithNoTextAsksForTheQuestionWithoutCallingDify() throws {
        let f = try RunnerFixture()
        f.dify.defaultScript = .answer(chunks: ["不该出现"])
        let job = try f.claimNewJob("   ")
        #expect(f.start(job).wait())

        let detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.finished)
        #expect(detail.content == UserNotice.emptyQuestion)
        #expect(f.dify.chatRequests.isEmpty)
    }

    @Test func aMessageWithTextStillReachesDify() throws {
        let f = try RunnerFixture()
        f.dify.defaultScript = .answer(chunks: ["你好"])
        let job = try f.claimNewJob("在吗")
        #expect(f.start(job).wait())

        #expect(try f.detail(job).content == "你好")
        #expect(f.dify.chatRequests.count == 1)
    }
}
