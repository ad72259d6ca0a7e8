import DifyClient
import WeComModel

/// A reason a job cannot produce an answer, with what the user reads and what the job
/// records. Built from the boundary errors so both texts stay consistent.
struct JobFailure: Error {
    var notice: String
    /// For `jobs.last_error` and the log: the cause, never secrets.
    var detail: String
    var transient: Bool
    /// Set when Dify failed, for its metric.
    var difyKind: DifyErrorKind?

    static func dify(_ error: DifyError) -> JobFailure {
        let notice: String
        switch error {
        case .unreachable: notice = UserNotice.difyUnreachable
        case let .http(status, _, _): notice = UserNotice.difyHTTP(status: status)
        case let .streamError(_, code, _): notice = UserNotice.difyError(code: code)
        case .idleTimeout: notice = UserNotice.difyIdle
        case .totalTimeout: notice = UserNotice.difyTooLong
        case .truncated, .invalidResponse: notice = UserNotice.difyTruncated
        }
        return JobFailure(notice: notice, detail: "dify: \(error)", transient: error.isTransient, difyKind: DifyErrorKind(error))
    }

    static func media(_ detail: String) -> JobFailure {
        JobFailure(notice: UserNotice.mediaFailed, detail: "media: \(detail)", transient: false)
    }

    static let unsupportedMedia = JobFailure(notice: UserNotice.unsupportedMedia, detail: "media: unsupported type", transient: false)
    static let noAgent = JobFailure(notice: UserNotice.noAgent, detail: "no Dify agent configured for this bot", transient: false)
}
