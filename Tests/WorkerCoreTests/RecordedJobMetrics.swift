import Synchronization
import WorkerCore

/// A ``JobMetrics`` that keeps every call, in order, for the test to read.
final class RecordedJobMetrics: JobMetrics {
    enum Event: Equatable {
        case started(waited: Duration)
        case finished(JobEnd, took: Duration)
        case fallback(AnswerFallback)
        case firstToken(after: Duration)
        case difyError(DifyErrorKind)
        case media(succeeded: Bool)
    }

    private let recorded = Mutex<[Event]>([])

    var events: [Event] { recorded.withLock { $0 } }

    func jobStarted(waited: Duration) { recorded.withLock { $0.append(.started(waited: waited)) } }
    func jobFinished(_ outcome: JobEnd, took: Duration) { recorded.withLock { $0.append(.finished(outcome, took: took)) } }
    func answerFallback(_ fallback: AnswerFallback) { recorded.withLock { $0.append(.fallback(fallback)) } }
    func firstToken(after: Duration) { recorded.withLock { $0.append(.firstToken(after: after)) } }
    func difyError(_ kind: DifyErrorKind) { recorded.withLock { $0.append(.difyError(kind)) } }
    func mediaDownload(succeeded: Bool) { recorded.withLock { $0.append(.media(succeeded: succeeded)) } }
}
