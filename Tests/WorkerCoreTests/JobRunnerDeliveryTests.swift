import BotStore
import DifyStandIn
import Foundation
import Testing
import WeComModel
@testable import WorkerCore

/// What the stream cannot carry goes through the message's response_url, once: an answer past
/// the 6-minute window (the stream closes at `WECOM_STREAM_DEADLINE`), and a tail past 20480 bytes.
@Suite(.timeLimit(.minutes(1))) struct JobRunnerDeliveryTests {
    /// A PNG as far as the worker's sniffing goes.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("a tiny cat".utf8)

    @Test func anAnswerStillRunningAtTheDeadlineClosesTheStreamThenArrivesThroughResponseURL() throws {
        let f = try RunnerFixture()
        let gate = Gate()
        f.dify.defaultScript = .gated(chunks: ["慢慢来，", "还在想，", "终于好了。"], gate: gate)
        let job = try f.claimNewJob("慢问题", responseURL: f.dify.responseURL(code: "CODE-LATE"))
        let running = f.start(job)
        #expect(gate.waitForWaiters(1, timeout: 10))
        gate.open(2)
        try f.waitUntil("two chunks are in the stream") { try f.detail(job).content == "慢慢来，还在想，" }

        // Dify goes quiet as the window closes: the runner's idle tick closes the stream.
        let closeAt = RunnerFixture.messageAt + f.configuration.streamDeadline
        f.clock.set(closeAt)
        try f.waitUntil("the stream is closed early") { try f.detail(job).finished }
        var detail = try f.detail(job)
        #expect(detail.content == UserNotice.interrupted(partial: "慢慢来，还在想，", notice: UserNotice.stillWorking))
        #expect(detail.finishedAt == Int64(closeAt))
        #expect(detail.job?.state == .running)
        #expect(f.dify.postedResponses.isEmpty)

        gate.openAll()
        #expect(running.wait())
        detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.finishedAt == Int64(closeAt), "WeCom saw the stream end at the deadline")
        #expect(detail.responsePostedAt == Int64(closeAt))
        let posted = f.dify.postedResponses
        #expect(posted.count == 1)
        #expect(posted.first?.code == "CODE-LATE")
        #expect(posted.first?.json?["msgtype"]?.stringValue == "markdown")
        #expect(posted.first?.json?["markdown"]?["content"]?.stringValue == "慢慢来，还在想，终于好了。")
        #expect(!f.log.contains("CODE-LATE"), "the response_url code must never be logged")
    }

    @Test func anAnswerFinishingAsTheWindowClosesSaysSoInTheStreamAndArrivesThroughResponseURL() throws {
        let f = try RunnerFixture()
        let closeAt = RunnerFixture.messageAt + f.configuration.streamDeadline
        let clock = f.clock
        // The window closes while the answer's image is fetched: every event of the stream saw it
        // open, but WeCom may stop polling before it reads the final frame.
        f.dify.routes.add("GET", "/files/tools/cat.png") { _, writer in
            clock.set(closeAt)
            writer.respond(status: 200, headers: ["Content-Type": "image/png"], body: Data(Self.png))
        }
        f.dify.defaultScript = .answer(chunks: ["图来了：", "![猫](/files/tools/cat.png?sign=1)"])
        let job = try f.claimNewJob("画只猫", responseURL: f.dify.responseURL(code: "CODE-RACE"))
        #expect(f.start(job).wait())

        let detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.content == UserNotice.stillWorking, "the answer is not shown twice")
        #expect(detail.imageCount == 0)
        #expect(detail.finishedAt == Int64(closeAt))
        let posted = f.dify.postedResponses
        #expect(posted.count == 1)
        #expect(posted.first?.json?["markdown"]?["content"]?.stringValue == "图来了：【图片：猫】")
    }

    @Test func aResponseURLThatCannotBeReachedIsLoggedWithoutItsCodeAndNotTriedAgain() throws {
        let gone = try MediaServer()
        let responseURL = gone.responseURL(code: "CODE-GONE")
        gone.stop()
        let f = try RunnerFixture(environment: ["WECOM_RESPONSE_URL_ALLOW": gone.baseURL])
        f.dify.defaultScript = .answer(chunks: ["晚到的", "回答"])
        let job = try f.claimNewJob("问", responseURL: responseURL)
        let closeAt = RunnerFixture.messageAt + f.configuration.streamDeadline
        f.clock.set(closeAt)  // the job starts after the window closed (a long queue)
        #expect(f.start(job).wait())

        let detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.content == "晚到的回答")
        #expect(detail.finishedAt == Int64(closeAt))
        #expect(detail.responsePostedAt == Int64(closeAt), "the one delivery is spent, so no other worker posts again")
        #expect(f.log.contains("response_url delivery failed"))
        #expect(!f.log.contains("CODE-GONE"))
    }

    @Test func anAnswerLongerThanAFrameHasItsRestPostedOnce() throws {
        let f = try RunnerFixture()
        let answer = String(repeating: "长", count: 8000)  // 24000 UTF-8 bytes
        f.dify.defaultScript = .answer(chunks: [String(answer.prefix(5000)), String(answer.dropFirst(5000))])
        let job = try f.claimNewJob("写长文", responseURL: f.dify.responseURL(code: "CODE-LONG"))
        #expect(f.start(job).wait())

        let (head, rest) = StreamContent.split(answer)
        #expect(!rest.isEmpty)
        let detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.content == head)
        let posted = f.dify.postedResponses
        #expect(posted.count == 1)
        #expect(posted.first?.json?["markdown"]?["content"]?.stringValue == rest)
    }
}
