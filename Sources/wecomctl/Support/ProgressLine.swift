import Foundation

/// One line on a terminal that rewrites itself as work goes on (`copied 1,200/5,000 streams`).
/// It goes to stderr, so stdout keeps only the lines that last; when stderr is not a terminal
/// (a log file, a pipe, cron's mail) nothing is written at all.
final class ProgressLine {
    private let enabled: Bool
    private var shown = false

    init(enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.enabled = enabled
    }

    /// Replaces the line with `text`.
    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        shown = true
    }

    /// Erases the line, so that the next output starts on a clean one.
    func clear() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}
