import DifyClient
import DifyStandIn
import Testing
@testable import WorkerCore

/// What the runners record for the worker's metrics, and how failures map to their labels.
@Suite(.timeLimit(.minutes(1))) struct JobMetricsTests {
    @Test(arguments: [
        (DifyError.unreachable("connection refused"), DifyErrorKind.connect),
        (.idleTimeout(30), .timeout), (.totalTimeout(300), .timeout),
        (.http(status: 429, code: "too_many_requests", message: ""), .rateLimited),
        (.http(status: 400, code: "invalid_param", message: ""), .http4xx),
        (.http(status: 404, code: "not_found", message: ""), .http4xx),
        (.http(status: 500, code: "", message: ""), .http5xx), (.http(status: 502, code: "", message: ""), .http5xx),
        (.http(status: 302, code: "", message: ""), .other),
        (.streamError(status: 400, code: "completion_request_error", message: ""), .errorEvent),
        (.truncated, .truncated), (.invalidResponse("not an event stream"), .invalidResponse),
    ])
    func difyErrorsMapToTheirKind(_ error: DifyError, _ kind: DifyErrorKind) {
        #expect(DifyErrorKind(error) == kind)
    }

    @Test func theRunnersWordsMapToOutcomes() {
        #expect(JobEnd(word: "done") == .answered)
        #expect(JobEnd(word: JobRunner.retryWord) == .failed)
        #expect(JobEnd(word: "dead") == .dead)
    }

    @Test func anAnsweredJobRecordsItsWaitFirstTokenAndDuration() throws {
        let f = try RunnerFixture()
        f.dify.defaultScript = .answer(chunks: ["好的，", "没问题。"])
        let job = try f.claimNewJob("帮个忙")
        // The job starts 3 s after the message arrived; then the clock stands still.
        f.clock.set(RunnerFixture.messageAt + 3)
        #expect(f.start(job).wait())
        #expect(f.metrics.events == [.started(waited: .seconds(3)), .firstToken(after: .zero),
                                     .finished(.answered, took: .zero)])
    }

    @Test func aServerErrorRecordsItsKindAndTheRetry() throws {
        let f = try RunnerFixture()
        f.dify.defaultScript = .internalServerError
        let job = try f.claimNewJob("帮个忙", maxAttempts: 2)
        #expect(f.start(job).wait())
        #expect(f.metrics.events == [.started(waited: .zero), .difyError(.http5xx), .finished(.failed, took: .zero)])
    }

    @Test func aFailedMediaDownloadIsRecorded() throws {
        let f = try RunnerFixture()
        let image = ["url": f.dify.baseURL + "/cos/missing", "aeskey": JobRunnerMediaKeyTests.newKey()]
        let job = try f.claimNewJob(body: ["msgtype": "image", "image": image], text: nil)
        #expect(f.start(job).wait())
        #expect(f.metrics.events == [.started(waited: .zero), .media(succeeded: false), .finished(.dead, took: .zero)])
    }
}
