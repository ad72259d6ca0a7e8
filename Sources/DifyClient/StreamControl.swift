/// What the callbacks of ``DifyClient/streamChat(_:endpoint:limits:onTick:onEvent:)`` want next.
public enum StreamControl: Sendable {
    /// Keep reading.
    case `continue`
    /// Stop the transfer now (e.g. the job's lease was lost); the call returns
    /// ``ChatStreamOutcome/stopped(_:)`` with this reason.
    case stop(any Error)
}
