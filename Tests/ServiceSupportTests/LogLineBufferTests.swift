import Foundation
import Testing
@testable import ServiceSupport

/// Routine lines wait in an enabled buffer; warnings, a full buffer, `flush` and `disable` write
/// them, always as whole lines in their order.
@Suite struct LogLineBufferTests {
    /// A pipe whose read end never blocks: `read()` returns what the buffer has written so far.
    final class Sink {
        let readFD: Int32, writeFD: Int32
        init() {
            var fds: [Int32] = [0, 0]
            precondition(pipe(&fds) == 0)
            readFD = fds[0]; writeFD = fds[1]
            _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)
        }
        deinit { close(readFD); close(writeFD) }
        func read() -> String {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while case let n = Glibc.read(readFD, &chunk, chunk.count), n > 0 { out += chunk.prefix(n) }
            return String(decoding: out, as: UTF8.self)
        }
    }

    func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }

    @Test func aDisabledBufferWritesEveryLineAtOnce() {
        let sink = Sink()
        let buffer = LogLineBuffer(fd: sink.writeFD)
        buffer.submit(line("one"), urgent: false)
        #expect(sink.read() == "one\n")
    }

    @Test func routineLinesWaitUntilFlushAndAWarningWritesThemFirst() {
        let sink = Sink()
        let buffer = LogLineBuffer(fd: sink.writeFD)
        buffer.enable()
        buffer.submit(line("a"), urgent: false)
        buffer.submit(line("b"), urgent: false)
        #expect(sink.read() == "", "routine lines wait")
        buffer.submit(line("warning c"), urgent: true)
        #expect(sink.read() == "a\nb\nwarning c\n", "the warning comes out at once, after what waited")
        buffer.submit(line("d"), urgent: false)
        #expect(sink.read() == "")
        buffer.flush()
        #expect(sink.read() == "d\n")
        buffer.flush()
        #expect(sink.read() == "", "nothing is written twice")
    }

    @Test func aFullBufferIsWrittenBeforeTheLineThatWouldOverflowIt() {
        let sink = Sink()
        let buffer = LogLineBuffer(fd: sink.writeFD)
        buffer.enable()
        let text = String(repeating: "x", count: 99)  // 100 bytes with the newline
        for _ in 0..<40 { buffer.submit(line(text), urgent: false) }
        #expect(sink.read() == "", "4,000 bytes fit")
        buffer.submit(line(text), urgent: false)
        let written = sink.read()
        #expect(written.utf8.count == 4000 && written.hasSuffix("\n"), "the first 40 lines, whole")
        buffer.disable()
        #expect(sink.read() == text + "\n", "disable writes the rest")
        buffer.submit(line("after"), urgent: false)
        #expect(sink.read() == "after\n", "and later lines go out at once")
    }

    @Test func aLineLongerThanTheBufferIsWrittenAloneAfterWhatWaited() {
        let sink = Sink()
        let buffer = LogLineBuffer(fd: sink.writeFD)
        buffer.enable()
        buffer.submit(line("short"), urgent: false)
        let long = String(repeating: "y", count: LogLineBuffer.capacity + 10)
        buffer.submit(line(long), urgent: false)
        #expect(sink.read() == "short\n" + long + "\n")
    }

    @Test func theFlusherWritesWaitingLinesWithoutAnyOtherCall() throws {
        let sink = Sink()
        let buffer = LogLineBuffer(fd: sink.writeFD)
        let flusher = LogLineFlusher(buffer: buffer, interval: 0.02)
        defer { flusher.stop() }
        buffer.submit(line("routine"), urgent: false)
        var seen = ""
        let deadline = Date().addingTimeInterval(10)
        while seen.isEmpty, Date() < deadline { seen = sink.read(); usleep(5_000) }
        #expect(seen == "routine\n")
    }
}
