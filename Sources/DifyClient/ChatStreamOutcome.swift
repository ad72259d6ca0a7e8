/// How a streamed answer ended when Dify did not fail it (failures are thrown as ``DifyError``).
public enum ChatStreamOutcome: Sendable {
    /// The terminal event arrived: the whole answer.
    case finished(ChatSummary)
    /// A callback returned ``StreamControl/stop(_:)``: the transfer was cut, for this reason.
    case stopped(any Error)
}
