import Threads

/// Gathers a process's routine log lines in a ``LogLineBuffer`` and writes them every
/// `interval` seconds (and whenever the buffer is full), from its own thread, until stopped.
/// Start it after any fork, in the process that logs.
public final class LogLineFlusher: Sendable {
    private let buffer: LogLineBuffer
    private let thread: IntervalThread

    public init(buffer: LogLineBuffer = .standardError, interval: Double = 0.1) {
        self.buffer = buffer
        thread = IntervalThread(name: "log-flush", interval: interval) { _ in buffer.flush() }
        buffer.enable()
        thread.start()
    }

    /// Writes what waits; from then on every line is written at once.
    public func stop() {
        thread.stop()
        buffer.disable()
    }
}
